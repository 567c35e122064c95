// The one schema source of the config file: zod schemas for the *input*
// format (what a user may write), from which validation errors and the
// committed JSON Schema are both derived. Loose scalars that the original
// accepted (`port: "80"`, `ssl: "true"`) are accepted here and normalised
// once, in model.ts.
import * as z from 'zod';
import {
  PLACEHOLDERS,
  isIp,
  looseBool,
  looseNumber,
  parseCidr,
  show,
  suggest,
  unknownPlaceholders,
} from './values.js';

/** Stable error codes; tests assert on these, not on wording. */
export const ErrorCode = {
  YamlSyntax: 'CFG_YAML_SYNTAX',
  Empty: 'CFG_EMPTY',
  DuplicateKey: 'CFG_DUPLICATE_KEY',
  UnknownKey: 'CFG_UNKNOWN_KEY',
  Missing: 'CFG_MISSING',
  Type: 'CFG_TYPE',
  Value: 'CFG_VALUE',
  UnknownType: 'CFG_UNKNOWN_TYPE',
  UndefinedRef: 'CFG_UNDEFINED_REF',
  Forbidden: 'CFG_FORBIDDEN',
  Cert: 'CFG_CERT',
  Placeholder: 'CFG_PLACEHOLDER',
  File: 'CFG_FILE',
  /** The file (or a directory above it) can be changed by another user; hooks in it would run their commands. */
  Unsafe: 'CFG_UNSAFE',
  TooLarge: 'CFG_TOO_LARGE',
  TooDeep: 'CFG_TOO_DEEP',
  UnknownAlias: 'CFG_UNKNOWN_ALIAS',
  AliasCycle: 'CFG_ALIAS_CYCLE',
  AliasLimit: 'CFG_ALIAS_LIMIT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

// zod error functions can only return a message string, so the code travels
// in front of it, separated by \u0001; several messages (one per unknown key)
// are separated by \u0002. decodeMessage() in load.ts is the only reader.
export const CODE_SEP = '\u0001';
export const MSG_SEP = '\u0002';
const enc = (code: ErrorCode, message: string): string => `${code}${CODE_SEP}${message}`;

/** JSON Schema fragments for leaf types that zod cannot describe by itself. */
export const jsonShapes = z.registry<Record<string, unknown>>();

type Leaf = z.ZodType<unknown>;

function leaf(
  json: Record<string, unknown>,
  test: (v: unknown) => string | undefined,
  required = 'is required',
): Leaf {
  // The message is recomputed from the input in the error function, which
  // zod calls separately from the check; no state is shared between parses.
  const problem = (v: unknown): string | undefined => (v === undefined ? enc(ErrorCode.Missing, required) : test(v));
  const schema = z.custom<unknown>((v) => problem(v) === undefined, {
    error: (iss) => problem(iss.input) ?? enc(ErrorCode.Value, 'is not valid'),
  });
  jsonShapes.add(schema, json);
  return schema;
}

const typeError = (what: string, v: unknown): string => enc(ErrorCode.Type, `must be ${what} (got ${show(v)})`);
const valueError = (msg: string): string => enc(ErrorCode.Value, msg);

export const text = (required?: string): Leaf =>
  leaf({ type: 'string' }, (v) => (typeof v === 'string' ? undefined : typeError('text', v)), required);

/** Text in which `${az}`-style placeholders may appear. */
export const templateText = (required?: string): Leaf =>
  leaf(
    { type: 'string', description: `May contain placeholders: ${PLACEHOLDERS.map((p) => '${' + p + '}').join(', ')}` },
    (v) => {
      if (typeof v !== 'string') return typeError('text', v);
      const bad = unknownPlaceholders(v);
      if (bad.length > 0)
        return enc(
          ErrorCode.Placeholder,
          `unknown placeholder "\${${bad[0]}}" (known: ${PLACEHOLDERS.map((p) => '${' + p + '}').join(', ')})`,
        );
      return undefined;
    },
    required,
  );

const looseNumberJson = (min: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  anyOf: [
    { type: 'number', exclusiveMinimum: min, ...extra },
    { type: 'string', pattern: '^\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)\\s*$' },
  ],
});

/**
 * Seconds above this are refused: Node fires a timer of 2^31 ms (~24.9 days)
 * or more after 1 ms, so a huge duration would become a busy loop. Each key
 * sets its own, lower maximum.
 */
export const MAX_SECONDS = { pollTime: 86_400, check: 3600, hook: 3600, holdDown: 86_400 } as const;

export const positiveNumber = (required?: string, minimum = 0, maximum?: number): Leaf =>
  leaf(
    looseNumberJson(0, { ...(minimum > 0 ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}) }),
    (v) => {
      const n = looseNumber(v);
      if (n === undefined || n <= 0) return enc(ErrorCode.Value, `must be a positive number of seconds (got ${show(v)})`);
      if (n < minimum) return enc(ErrorCode.Value, `must be at least ${minimum} (got ${show(v)})`);
      if (maximum !== undefined && n > maximum) return enc(ErrorCode.Value, `must be at most ${maximum} seconds (got ${show(v)})`);
      return undefined;
    },
    required,
  );

export const nonNegativeNumber = (maximum?: number): Leaf =>
  leaf({ anyOf: [{ type: 'number', minimum: 0, ...(maximum !== undefined ? { maximum } : {}) }, { type: 'string', pattern: '^\\s*\\+?(\\d+(\\.\\d*)?|\\.\\d+)\\s*$' }] }, (v) => {
    const n = looseNumber(v);
    if (n === undefined || n < 0) return enc(ErrorCode.Value, `must be zero or a positive number of seconds (got ${show(v)})`);
    return maximum !== undefined && n > maximum ? enc(ErrorCode.Value, `must be at most ${maximum} seconds (got ${show(v)})`) : undefined;
  });

export const intRange = (min: number, max: number): Leaf =>
  leaf({ anyOf: [{ type: 'integer', minimum: min, maximum: max }, { type: 'string', pattern: '^\\s*\\d+\\s*$' }] }, (v) => {
    const n = looseNumber(v);
    return n === undefined || !Number.isInteger(n) || n < min || n > max
      ? enc(ErrorCode.Value, `must be a whole number from ${min} to ${max} (got ${show(v)})`)
      : undefined;
  });

export const positiveInt = (): Leaf =>
  leaf(
    {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^\\s*\\+?[0-9]*[1-9][0-9]*\\s*$' },
      ],
    },
    (v) => {
      const n = looseNumber(v);
      if (n === undefined || n <= 0 || !Number.isInteger(n))
        return enc(ErrorCode.Value, `must be a positive whole number (got ${show(v)})`);
      return undefined;
    },
  );

export const port = (required?: string): Leaf =>
  leaf(
    {
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 65535 },
        { type: 'string', pattern: '^\\s*[0-9]{1,5}\\s*$' },
      ],
    },
    (v) => {
      const n = looseNumber(v);
      if (n === undefined || !Number.isInteger(n) || n < 1 || n > 65535)
        return enc(ErrorCode.Value, `must be a port number from 1 to 65535 (got ${show(v)})`);
      return undefined;
    },
    required,
  );

export const bool = (): Leaf =>
  leaf({ anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] }, (v) =>
    looseBool(v) === undefined ? enc(ErrorCode.Type, `must be true or false (got ${show(v)})`) : undefined,
  );

export const ipAddress = (required?: string): Leaf =>
  leaf(
    { type: 'string', description: 'An IPv4 or IPv6 address literal (not a host name).' },
    (v) => {
      if (typeof v !== 'string') return typeError('an IP address', v);
      return isIp(v) ? undefined : valueError(`${show(v)} is not an IP address`);
    },
    required,
  );

export const cidr = (required?: string): Leaf =>
  leaf(
    { type: 'string', description: 'An IPv4 or IPv6 CIDR; a bare address means /32 or /128.' },
    (v) => {
      if (typeof v !== 'string') return typeError('a CIDR', v);
      const r = parseCidr(v.trim());
      if (r.ok) return undefined;
      if (r.reason === 'host-bits')
        return valueError(`${show(v)} is not a valid CIDR (host bits are set; the network is ${r.network})`);
      return valueError(`${show(v)} is not a valid CIDR`);
    },
    required,
  );

export const regexp = (required?: string): Leaf =>
  leaf(
    { type: 'string', description: 'An unanchored regular expression (placeholders allowed).' },
    (v) => {
      if (typeof v !== 'string') return typeError('a regular expression', v);
      const bad = unknownPlaceholders(v);
      if (bad.length > 0) return enc(ErrorCode.Placeholder, `unknown placeholder "\${${bad[0]}}"`);
      try {
        // Placeholders are filled with plain words at run time; test with one.
        new RegExp(v.replace(/\$\{[^}]*\}/g, 'x'));
        return undefined;
      } catch {
        return valueError(`${show(v)} is not a valid regular expression`);
      }
    },
    required,
  );

/** A command line as a list: `[/usr/bin/logger, -t, awsnycast, moved]`. No shell is involved. */
export const argv = (): Leaf =>
  leaf({ type: 'array', items: { type: 'string' }, minItems: 1 }, (v) => {
    const msg = 'must be a list of strings (command and arguments)';
    if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string'))
      return enc(ErrorCode.Type, `${msg}, got ${show(v)}`);
    for (const a of v) {
      if (a.includes('\u0000')) return valueError(`${show(a)} must not contain a NUL character`);
      const bad = unknownPlaceholders(a);
      if (bad.length > 0) return enc(ErrorCode.Placeholder, `unknown placeholder "\${${bad[0]}}"`);
    }
    return undefined;
  });

export const stringList = (): Leaf =>
  leaf({ type: 'array', items: { type: 'string' } }, (v) =>
    Array.isArray(v) && v.every((a) => typeof a === 'string') ? undefined : typeError('a list of strings', v),
  );

/** One name, or a list of names (`healthcheck: [a, b]`: all must pass). */
export const nameOrNames = (): Leaf =>
  leaf(
    { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    (v) =>
      typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string'))
        ? undefined
        : typeError('a check name or a list of check names', v),
  );

export const instanceRef = (): Leaf =>
  leaf({ type: 'string', pattern: '^(SELF|i-[0-9a-f]{8}([0-9a-f]{9})?)$' }, (v) =>
    typeof v === 'string' && /^(SELF|i-[0-9a-f]{8}([0-9a-f]{9})?)$/.test(v)
      ? undefined
      : valueError(`${show(v)} is neither SELF nor an instance id (i-...)`),
  );

export const httpStatusList = (): Leaf =>
  leaf(
    {
      anyOf: [
        { type: 'integer', minimum: 100, maximum: 599 },
        { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, minItems: 1 },
      ],
    },
    (v) => {
      const list = Array.isArray(v) ? (v as unknown[]) : [v];
      const ok =
        list.length > 0 &&
        list.every((s) => {
          const n = looseNumber(s);
          return n !== undefined && Number.isInteger(n) && n >= 100 && n <= 599;
        });
      return ok ? undefined : valueError(`must be an HTTP status (100-599) or a list of them (got ${show(v)})`);
    },
  );

export const headerMap = (): Leaf =>
  leaf({ type: 'object', additionalProperties: { type: 'string' } }, (v) =>
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.values(v as Record<string, unknown>).every((x) => typeof x === 'string' || typeof x === 'number')
      ? undefined
      : typeError('a mapping of header name to text', v),
  );

/** A strict mapping: unknown keys are errors, with a "did you mean" when one is close. */
export function mapping<S extends z.ZodRawShape>(shape: S, what = 'a mapping'): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        return iss.keys
          .map((k) => {
            const s = suggest(k, known);
            return enc(ErrorCode.UnknownKey, `unknown key "${k}"${s !== undefined ? ` (did you mean "${s}"?)` : ''}`);
          })
          .join(MSG_SEP);
      }
      if (iss.code === 'invalid_type')
        return iss.input === undefined ? enc(ErrorCode.Missing, 'is required') : typeError(what, iss.input);
      return undefined;
    },
  });
}

/** A mapping of user-chosen names to values. */
function namedMap<T extends z.ZodType>(value: T, what: string): z.ZodRecord<z.ZodString, T> {
  return z.record(z.string(), value, {
    error: (iss) => (iss.code === 'invalid_type' ? typeError(what, iss.input) : undefined),
  });
}

// ---------------------------------------------------------------- checks

export const CHECK_TYPES = ['ping', 'tcp', 'http', 'https', 'command'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

const tlsKeys = {
  cert: text().optional().describe('PEM text of the CA certificate(s) to trust.'),
  certPath: text().optional().describe('File holding the PEM CA certificate(s) to trust; relative to the config file.'),
  skipVerify: bool().optional().describe('Accept any certificate (no chain or name check).'),
  serverName: text().optional().describe('Name sent as SNI and checked against the certificate.'),
};

const checkConfigs = {
  ping: mapping({}).optional(),
  // A tcp or command check without `config` is reported as missing its
  // `port` / `command` (prefault runs the schema on the {} default).
  tcp: mapping({
    port: port('is required for a tcp check'),
    send: text().optional().describe('Text written after connecting.'),
    expect: text().optional().describe('Substring that must arrive before the timeout.'),
    ssl: bool().optional().describe('Speak TLS.'),
    ...tlsKeys,
  }).prefault({ port: undefined }),
  http: mapping({
    port: port().optional().describe('Default 80.'),
    path: text().optional().describe('Default /.'),
    method: text().optional().describe('Default GET.'),
    expect_status: httpStatusList().optional().describe('Default: any 2xx or 3xx.'),
    expect: text().optional().describe('Substring the body must contain.'),
    headers: headerMap().optional(),
  }).optional(),
  https: mapping({
    port: port().optional().describe('Default 443.'),
    path: text().optional().describe('Default /.'),
    method: text().optional().describe('Default GET.'),
    expect_status: httpStatusList().optional().describe('Default: any 2xx or 3xx.'),
    expect: text().optional().describe('Substring the body must contain.'),
    headers: headerMap().optional(),
    ...tlsKeys,
  }).optional(),
  command: mapping({
    command: text('is required for a command check'),
    arguments: stringList().optional().describe('%DESTINATION% in an argument is replaced by the destination.'),
  }).prefault({ command: undefined }),
} as const;

function checkSchema(remote: boolean) {
  const destination = remote
    ? leaf({ not: {} }, () =>
        enc(ErrorCode.Forbidden, "must not be set (it is the current owner's address)"),
      ).optional()
    : ipAddress('is required for a local check');
  const variants = CHECK_TYPES.map((type) => {
    const config = checkConfigs[type];
    return mapping({
      type: z.literal(type),
      destination,
      rise: positiveInt().optional().describe('Consecutive passes to become healthy. Default 2.'),
      fall: positiveInt().optional().describe('Consecutive failures to become unhealthy. Default 3.'),
      every: positiveNumber('is required', 0.1, MAX_SECONDS.check).describe('Seconds between runs; fractions down to 0.1; at most 3600.'),
      timeout: positiveNumber(undefined, 0, MAX_SECONDS.check).optional().describe('Seconds; default the smaller of every and 5; at most 3600.'),
      config,
      run_on_healthy: argv().optional(),
      run_on_unhealthy: argv().optional(),
      hook_timeout: positiveNumber(undefined, 0, MAX_SECONDS.hook).optional().describe('Seconds a hook may run. Default 30; at most 3600.'),
    });
  });
  return z.discriminatedUnion('type', variants as unknown as [(typeof variants)[0], ...(typeof variants)[number][]], {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return undefined;
      const input = iss.input;
      if (input === null || typeof input !== 'object' || Array.isArray(input)) return typeError('a health check mapping', input);
      const t = (input as Record<string, unknown>).type;
      if (t === undefined) return enc(ErrorCode.Missing, `is required (${CHECK_TYPES.join(', ')})`);
      return enc(ErrorCode.UnknownType, `${show(t)} is not a known check type (${CHECK_TYPES.join(', ')})`);
    },
  });
}

export const localCheck = checkSchema(false);
export const remoteCheck = checkSchema(true);

// ---------------------------------------------------------------- finders

export const FINDER_TYPES = ['by_tag', 'by_tag_regexp', 'and', 'or', 'main', 'subnet', 'has_route_to'] as const;
export type FinderType = (typeof FINDER_TYPES)[number];

const finderCommon = {
  not: bool().optional().describe('Invert this finder.'),
  no_results_ok: bool().optional().describe('On the top finder: finding no table is not an error.'),
};

export interface FinderInput {
  type: FinderType;
  config?: unknown;
  not?: unknown;
  no_results_ok?: unknown;
}

const finderVariants = () => [
  mapping({
    type: z.literal('by_tag'),
    config: mapping({ key: templateText('is required for by_tag'), value: templateText('is required for by_tag') }),
    ...finderCommon,
  }),
  mapping({
    type: z.literal('by_tag_regexp'),
    config: mapping({
      key: templateText('is required for by_tag_regexp'),
      regexp: regexp('is required for by_tag_regexp'),
    }),
    ...finderCommon,
  }),
  mapping({
    type: z.literal('and'),
    config: mapping({
      get filters() {
        return filterList('and');
      },
    }),
    ...finderCommon,
  }),
  mapping({
    type: z.literal('or'),
    config: mapping({
      get filters() {
        return filterList('or');
      },
    }),
    ...finderCommon,
  }),
  mapping({ type: z.literal('main'), config: mapping({}).optional(), ...finderCommon }),
  mapping({ type: z.literal('subnet'), config: mapping({ subnet_id: templateText('is required for subnet') }), ...finderCommon }),
  mapping({ type: z.literal('has_route_to'), config: mapping({ cidr: cidr('is required for has_route_to') }), ...finderCommon }),
];

function filterList(kind: string): z.ZodType {
  return z.array(finder, {
    error: (iss) =>
      iss.code === 'invalid_type'
        ? iss.input === undefined
          ? enc(ErrorCode.Missing, `is required for ${kind}`)
          : typeError('a list of finders', iss.input)
        : undefined,
  }).min(1, { error: () => enc(ErrorCode.Value, `must list at least one finder for ${kind}`) });
}

export const finder: z.ZodType = z.lazy(() =>
  z.discriminatedUnion('type', finderVariants() as unknown as [z.ZodObject, ...z.ZodObject[]], {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return undefined;
      const input = iss.input;
      if (input === null || typeof input !== 'object' || Array.isArray(input)) return typeError('a finder mapping', input);
      const t = (input as Record<string, unknown>).type;
      if (t === undefined) return enc(ErrorCode.Missing, `is required (${FINDER_TYPES.join(', ')})`);
      return enc(ErrorCode.UnknownType, `${show(t)} is not a known finder (${FINDER_TYPES.join(', ')})`);
    },
  }),
);

// ---------------------------------------------------------------- routes

export const ROUTE_HOOKS = [
  'run_before_add_route',
  'run_after_add_route',
  'run_before_replace_route',
  'run_after_replace_route',
  'run_before_delete_route',
  'run_after_delete_route',
] as const;

export const route = mapping({
  cidr: cidr('is required'),
  instance: instanceRef().optional().describe('SELF (default) or an instance id.'),
  healthcheck: nameOrNames().optional().describe('Local check(s) gating this route; all must be healthy.'),
  remote_healthcheck: text().optional().describe('Remote check template run against the current owner.'),
  if_unhealthy: bool().optional().describe('Act as a backup: take the route only when its owner is dead.'),
  never_delete: bool().optional().describe('Keep our route even when our check fails.'),
  ...Object.fromEntries(ROUTE_HOOKS.map((h) => [h, argv().optional()])),
  hook_timeout: positiveNumber(undefined, 0, MAX_SECONDS.hook).optional().describe('Seconds a route hook may run. Default 30; at most 3600.'),
  priority: intRange(0, 100)
    .optional()
    .describe('Backup rank, 0-100 (higher acts first when several backups see the same dead owner). Default 50.'),
  hold_down: nonNegativeNumber(MAX_SECONDS.holdDown)
    .optional()
    .describe('Seconds a primary waits (healthy, and since its own last change) before taking a live route back. Default 30; 0 disables; at most 86400.'),
}, 'a route mapping');

export const routeTable = mapping({
  find: finder,
  manage_routes: z
    .array(route, {
      error: (iss) =>
        iss.code === 'invalid_type'
          ? iss.input === undefined
            ? enc(ErrorCode.Missing, 'is required')
            : typeError('a list of routes', iss.input)
          : undefined,
    })
    .min(1, { error: () => enc(ErrorCode.Value, 'must list at least one route') }),
}, 'a route table mapping');

// ---------------------------------------------------------------- top level

export const listenAddress = (): Leaf =>
  leaf({ type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[0-9.]+):[0-9]{1,5}$' }, (v) => {
    if (typeof v !== 'string') return typeError('HOST:PORT', v);
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(v);
    const host = m?.[1] ?? m?.[2];
    const port = Number(m?.[3]);
    if (host === undefined || !isIp(host) || port < 0 || port > 65535)
      return valueError(`${show(v)} is not HOST:PORT with an IP address (e.g. 127.0.0.1:9273)`);
    return undefined;
  });

export const statusSection = mapping({
  socket: text().optional().describe('Unix socket for status, metrics, drain and undrain (mode 0600). Default /run/awsnycast/awsnycast.sock; "" turns it off.'),
  listen: listenAddress().optional().describe('Also serve GET /status, /healthz and /metrics over HTTP here. Default: off. Loopback only unless allow_non_loopback.'),
  allow_non_loopback: bool().optional().describe('Allow `listen` on a non-loopback address. Default false.'),
}, 'a mapping');

export const drainSection = mapping({
  state_file: text().optional().describe('Where `awsnycast drain` is remembered across restarts. Default /var/lib/awsnycast/drained.'),
  maintenance_file: text().optional().describe('While this file exists, the instance is drained. Default /etc/awsnycast/maintenance.'),
}, 'a mapping');

export const configFile = mapping({
  poll_time: positiveNumber(undefined, 0, MAX_SECONDS.pollTime).optional().describe('Seconds between route table reads. Default 300; at most 86400 (a day).'),
  all_vpcs: bool()
    .optional()
    .describe('Manage matching route tables in every VPC of the region, not only this instance\'s VPC. Default false.'),
  healthchecks: namedMap(localCheck, 'a mapping of name to check').optional(),
  remote_healthchecks: namedMap(remoteCheck, 'a mapping of name to check').optional(),
  routetables: namedMap(routeTable, 'a mapping of name to route table').optional(),
  route_tables: namedMap(routeTable, 'a mapping of name to route table').optional().describe('Same as routetables.'),
  status: statusSection.optional().describe('The local status socket and the optional HTTP status endpoint.'),
  drain: drainSection.optional().describe('Where drain state is kept.'),
  pass_aws_env: bool()
    .optional()
    .describe('Give hooks and command checks the daemon\'s AWS_* environment variables (credentials among them). Default false: they get none.'),
  pass_capabilities: bool()
    .optional()
    .describe('Let hooks and command checks inherit the daemon\'s ambient capabilities (CAP_NET_RAW under the packaged unit, and any a drop-in adds). Default false: they get none.'),
}, 'a mapping of settings');

/** The JSON Schema of the config file, for editors (docs/awsnycast.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configFile, {
    unrepresentable: 'any',
    cycles: 'ref',
    override: (ctx) => {
      const shape = jsonShapes.get(ctx.zodSchema as unknown as z.ZodType);
      if (shape !== undefined) Object.assign(ctx.jsonSchema, shape);
    },
  });
  return {
    ...schema,
    // One of the two spellings is required; zod cannot say "either" by itself.
    anyOf: [{ required: ['routetables'] }, { required: ['route_tables'] }],
    $id: 'awsnycast.schema.json',
    title: 'awsnycast configuration',
    description: 'Config file of the awsnycast route daemon (AWSnycast-compatible).',
  };
}

// Health checks: `healthchecks` (local, each with a destination) and
// `remote_healthchecks` (templates run against whoever owns a route). Each
// check's transform makes its CheckSpec, and its `config`'s transform the
// ProbeSpec of its type.
import * as z from 'zod';
import { ErrorCode } from '../codes.js';
import { isIp } from '../../net/address.js';
import { CHECK_TYPES, DEFAULTS } from '../model.js';
import type { CheckSpec, ChildInherit, ProbeSpec, TlsOptions } from '../model.js';
import { looseNumber, show } from '../values.js';
import { argv, hookTimeout } from './hooks.js';
import { Fail, isPlainObject, report } from './issues.js';
import { MAX_SECONDS, bool, leaf, port, positiveInt, positiveNumber, stringList, text, typeFail } from './leaf.js';
import { mappingOf, namedMap, strictKeys, tagged } from './shapes.js';
import type { PartialCheck } from './shapes.js';
import { oneCertSource, tlsKeys, tlsOf } from './tls.js';
import type { CertEnv } from './tls.js';

const ipAddress = (required?: string) =>
  leaf<string>({ type: 'string', description: 'An IPv4 or IPv6 address literal (not a host name).' }, (v) => {
    if (typeof v !== 'string') return typeFail('an IP address', v);
    return isIp(v) ? v : new Fail(ErrorCode.Value, `${show(v)} is not an IP address`);
  }, required);

const httpStatusList = () =>
  leaf<readonly number[]>(
    {
      anyOf: [
        { type: 'integer', minimum: 100, maximum: 599 },
        { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, minItems: 1 },
      ],
    },
    (v) => {
      const statuses = (Array.isArray(v) ? (v as unknown[]) : [v]).map(looseNumber);
      const ok = statuses.length > 0 && statuses.every((n) => n !== undefined && Number.isInteger(n) && n >= 100 && n <= 599);
      return ok ? Object.freeze(statuses as number[]) : new Fail(ErrorCode.Value, `must be an HTTP status (100-599) or a list of them (got ${show(v)})`);
    },
  );

const headerMap = () =>
  leaf<Readonly<Record<string, string>>>({ type: 'object', additionalProperties: { type: 'string' } }, (v) =>
    isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string' || typeof x === 'number')
      ? Object.freeze(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])))
      : typeFail('a mapping of header name to text', v),
  );

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const NO_ARGS: readonly string[] = Object.freeze([]);

const httpKeys = (defaultPort: number) => ({
  port: port().default(defaultPort).describe(`Default ${defaultPort}.`),
  path: text().default(DEFAULTS.httpPath).describe('Default /.'),
  method: text().default(DEFAULTS.httpMethod).describe('Default GET.'),
  expect_status: httpStatusList().optional().describe('Default: any 2xx or 3xx.'),
  expect: text().optional().describe('Substring the body must contain.'),
  headers: headerMap().optional(),
});

interface HttpConfig {
  readonly port: number;
  readonly path: string;
  readonly method: string;
  readonly expect_status?: readonly number[];
  readonly expect?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function httpProbe(c: HttpConfig, tls?: TlsOptions): ProbeSpec {
  return Object.freeze({
    kind: 'http',
    port: c.port,
    method: c.method.toUpperCase(),
    path: c.path,
    ...(c.expect_status !== undefined ? { expectStatus: c.expect_status } : {}),
    ...(c.expect !== undefined ? { expect: c.expect } : {}),
    headers: c.headers ?? NO_HEADERS,
    ...(tls !== undefined ? { tls } : {}),
  });
}

/** `config` of each check type, transformed into its probe. */
function probeConfigs(env: CertEnv) {
  const tls = tlsKeys(env);
  return {
    ping: mappingOf(strictKeys({}).transform((): ProbeSpec => Object.freeze({ kind: 'ping' }))).prefault({}),
    // A tcp or command check without `config` is reported as missing its `port` / `command`.
    tcp: mappingOf(
      strictKeys(
        {
          port: port('is required for a tcp check'),
          send: text().optional().describe('Text written after connecting.'),
          expect: text().optional().describe('Substring that must arrive before the timeout.'),
          ssl: bool().default(false).describe('Speak TLS.'),
          ...tls,
        },
        oneCertSource,
      ).transform(
        (c): ProbeSpec =>
          Object.freeze({
            kind: 'tcp',
            port: c.port,
            ...(c.send !== undefined ? { send: c.send } : {}),
            ...(c.expect !== undefined ? { expect: c.expect } : {}),
            ...(c.ssl ? { tls: tlsOf(c) } : {}),
          }),
      ),
      'a mapping',
      {},
    ),
    http: mappingOf(strictKeys(httpKeys(DEFAULTS.httpPort)).transform((c) => httpProbe(c))).prefault({}),
    https: mappingOf(strictKeys({ ...httpKeys(DEFAULTS.httpsPort), ...tls }, oneCertSource).transform((c) => httpProbe(c, tlsOf(c)))).prefault({}),
    command: mappingOf(
      strictKeys({
        command: text('is required for a command check'),
        arguments: stringList().optional().describe('%DESTINATION% in an argument is replaced by the destination.'),
      }).transform((c): ProbeSpec => Object.freeze({ kind: 'command', command: c.command, args: c.arguments ?? NO_ARGS })),
      'a mapping',
      {},
    ),
  };
}

/** A run must end before the next one starts. */
const timeoutWithinEvery: PartialCheck = (check, ctx) => {
  const { every, timeout } = check;
  if (typeof every === 'number' && typeof timeout === 'number' && timeout > every)
    report(ctx, ErrorCode.Value, `must not exceed every (${every} s), got ${timeout} s`, { path: ['timeout'] });
};

/** A check as its own keys make it; its name and what it inherits come from around it (checkSpecs). */
export type ParsedCheck = Omit<CheckSpec, 'name' | 'inherit'>;

/** The `healthchecks` (remote: `remote_healthchecks`) section: names to parsed checks. */
export function checkSection(remote: boolean, env: CertEnv) {
  const destination: z.ZodType<string | undefined> = remote
    ? leaf<never>({ not: {} }, () => new Fail(ErrorCode.Forbidden, "must not be set (it is the current owner's address)")).optional()
    : ipAddress('is required for a local check');
  const configs = probeConfigs(env);
  const variants = CHECK_TYPES.map((type) =>
    strictKeys(
      {
        type: z.literal(type),
        destination,
        rise: positiveInt().default(DEFAULTS.rise).describe('Consecutive passes to become healthy. Default 2.'),
        fall: positiveInt().default(DEFAULTS.fall).describe('Consecutive failures to become unhealthy. Default 3.'),
        every: positiveNumber('is required', 0.1, MAX_SECONDS.check).describe('Seconds between runs; fractions down to 0.1; at most 3600.'),
        timeout: positiveNumber(undefined, 0, MAX_SECONDS.check).optional().describe('Seconds; default the smaller of every and 5; at most 3600.'),
        config: configs[type],
        run_on_healthy: argv().optional(),
        run_on_unhealthy: argv().optional(),
        hook_timeout: hookTimeout('Seconds a hook may run. Default 30; at most 3600.'),
      },
      timeoutWithinEvery,
    ),
  );
  const union = z.discriminatedUnion('type', variants as [(typeof variants)[number], ...(typeof variants)[number][]]);
  const check = tagged(
    union.transform(
      (c): ParsedCheck => ({
        remote,
        type: c.type,
        ...(c.destination !== undefined ? { destination: c.destination } : {}),
        rise: c.rise,
        fall: c.fall,
        every: c.every,
        timeout: c.timeout ?? Math.min(c.every, DEFAULTS.maxTimeout),
        hookTimeout: c.hook_timeout,
        ...(c.run_on_healthy !== undefined ? { runOnHealthy: c.run_on_healthy } : {}),
        ...(c.run_on_unhealthy !== undefined ? { runOnUnhealthy: c.run_on_unhealthy } : {}),
        probe: c.config,
      }),
    ),
    CHECK_TYPES,
    'check type',
    'a health check mapping',
  );
  return namedMap(check, 'a mapping of name to check').prefault({});
}

/** The frozen CheckSpecs of a section: each parsed check with its name and what its children inherit. */
export function checkSpecs(checks: Readonly<Record<string, ParsedCheck>>, inherit: ChildInherit): Readonly<Record<string, CheckSpec>> {
  return Object.freeze(Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, Object.freeze({ name, ...c, inherit })])));
}

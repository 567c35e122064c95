// The typed, frozen config model the rest of the program uses. Built once
// from a validated document by toModel(); every default is applied here and
// nowhere else (docs/configuration.md lists them).
import type { CheckType, FinderType } from './schema.js';
import { ROUTE_HOOKS } from './schema.js';
import { looseBool, looseNumber, parseCidr } from './values.js';

export const DEFAULTS = {
  pollTime: 300,
  rise: 2,
  /** The original's code used 3 (its README said 2); we keep the code's behaviour. */
  fall: 3,
  /** A check's timeout defaults to min(every, maxTimeout). */
  maxTimeout: 5,
  hookTimeout: 30,
  priority: 50,
  holdDown: 30,
  statusSocket: '/run/awsnycast/awsnycast.sock',
  drainStateFile: '/var/lib/awsnycast/drained',
  maintenanceFile: '/etc/awsnycast/maintenance',
  httpPort: 80,
  httpsPort: 443,
  httpPath: '/',
  httpMethod: 'GET',
} as const;

export interface TlsOptions {
  /** PEM text of the CA certificate(s) to trust; undefined = the system's roots. */
  readonly caPem?: string;
  /** Where caPem came from (the resolved certPath, or "cert"), for messages. */
  readonly caSource?: string;
  readonly skipVerify: boolean;
  readonly serverName?: string;
}

/**
 * What hooks and command checks inherit from the daemon beyond the default
 * (src/hooks/child.ts): its AWS_* variables (`pass_aws_env`), its ambient
 * capabilities (`pass_capabilities`). Both false unless the config says so.
 */
export interface ChildInherit {
  readonly awsEnv: boolean;
  readonly capabilities: boolean;
}

export type ProbeSpec =
  | { readonly kind: 'ping' }
  | {
      readonly kind: 'tcp';
      readonly port: number;
      readonly send?: string;
      readonly expect?: string;
      readonly tls?: TlsOptions;
    }
  | {
      readonly kind: 'http';
      readonly port: number;
      readonly method: string;
      readonly path: string;
      /** undefined = any 2xx or 3xx. */
      readonly expectStatus?: readonly number[];
      readonly expect?: string;
      readonly headers: Readonly<Record<string, string>>;
      /** Present for `https`. */
      readonly tls?: TlsOptions;
    }
  | { readonly kind: 'command'; readonly command: string; readonly args: readonly string[] };

export interface CheckSpec {
  readonly name: string;
  /** A remote template: its destination is the current owner's address. */
  readonly remote: boolean;
  readonly type: CheckType;
  /** Set for local checks; undefined for remote templates. */
  readonly destination?: string;
  readonly rise: number;
  readonly fall: number;
  /** Seconds between runs. */
  readonly every: number;
  /** Seconds; never more than every. */
  readonly timeout: number;
  readonly hookTimeout: number;
  readonly runOnHealthy?: readonly string[];
  readonly runOnUnhealthy?: readonly string[];
  readonly probe: ProbeSpec;
  /** What its hooks and command probe inherit (top-level `pass_aws_env`, `pass_capabilities`); absent = nothing. */
  readonly inherit?: ChildInherit;
}

export type FinderSpec =
  | { readonly kind: 'by_tag'; readonly key: string; readonly value: string; readonly not: boolean }
  | { readonly kind: 'by_tag_regexp'; readonly key: string; readonly regexp: string; readonly not: boolean }
  | { readonly kind: 'and' | 'or'; readonly filters: readonly FinderSpec[]; readonly not: boolean }
  | { readonly kind: 'main'; readonly not: boolean }
  | { readonly kind: 'subnet'; readonly subnetId: string; readonly not: boolean }
  | { readonly kind: 'has_route_to'; readonly cidr: string; readonly not: boolean };

export type RouteHookName = (typeof ROUTE_HOOKS)[number];

export interface RouteSpec {
  /** Canonical CIDR text (`10.0.0.1/32`, `2001:db8::10/128`). */
  readonly cidr: string;
  readonly family: 4 | 6;
  /** `SELF` or an instance id. */
  readonly instance: string;
  /** Local checks that must all be decided-healthy; empty = no gate. */
  readonly healthchecks: readonly string[];
  readonly remoteHealthcheck?: string;
  readonly ifUnhealthy: boolean;
  readonly neverDelete: boolean;
  readonly hooks: Readonly<Partial<Record<RouteHookName, readonly string[]>>>;
  readonly hookTimeout: number;
  /** Backup rank 0-100; higher acts first. */
  readonly priority: number;
  /** Seconds; see docs/daemon.md "Hold-down". */
  readonly holdDown: number;
  /** What its hooks inherit (top-level `pass_aws_env`, `pass_capabilities`); absent = nothing. */
  readonly inherit?: ChildInherit;
}

export interface RouteTableSpec {
  readonly name: string;
  readonly find: FinderSpec;
  readonly noResultsOk: boolean;
  readonly routes: readonly RouteSpec[];
}

export interface Config {
  /** Absolute path of the file this came from. */
  readonly file: string;
  readonly pollTime: number;
  /** Read and manage tables in every VPC of the region (default: only our own VPC). */
  readonly allVpcs: boolean;
  /** What hooks and command checks inherit from the daemon (src/hooks/child.ts); copied into every check and route spec. */
  readonly inherit: ChildInherit;
  /** Unix socket path for status and drain; undefined = off. */
  readonly statusSocket?: string;
  /** HTTP status endpoint `{host, port}`; undefined = off. */
  readonly statusListen?: { readonly host: string; readonly port: number };
  readonly drainStateFile: string;
  readonly maintenanceFile: string;
  readonly healthchecks: Readonly<Record<string, CheckSpec>>;
  readonly remoteHealthchecks: Readonly<Record<string, CheckSpec>>;
  readonly routeTables: readonly RouteTableSpec[];
}

// ------------------------------------------------------------ conversion
// The input has passed schema validation, so the loose accessors below
// cannot fail; they only normalise ("80" -> 80, "true" -> true).

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const num = (v: unknown, dflt: number): number => looseNumber(v) ?? dflt;
const flag = (v: unknown): boolean => looseBool(v) ?? false;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strList = (v: unknown): readonly string[] | undefined =>
  Array.isArray(v) ? v.map((x) => String(x)) : undefined;

/** TLS material already read and checked by the loader, keyed by check name. */
export type ResolvedCerts = ReadonlyMap<string, { pem: string; source: string }>;

function tlsOf(config: Raw, cert: { pem: string; source: string } | undefined): TlsOptions {
  const serverName = str(config.serverName);
  return {
    ...(cert !== undefined ? { caPem: cert.pem, caSource: cert.source } : {}),
    skipVerify: flag(config.skipVerify),
    ...(serverName !== undefined ? { serverName } : {}),
  };
}

function toProbe(type: CheckType, config: Raw, cert: { pem: string; source: string } | undefined): ProbeSpec {
  switch (type) {
    case 'ping':
      return { kind: 'ping' };
    case 'tcp': {
      const send = str(config.send);
      const expect = str(config.expect);
      return {
        kind: 'tcp',
        port: num(config.port, 0),
        ...(send !== undefined ? { send } : {}),
        ...(expect !== undefined ? { expect } : {}),
        ...(flag(config.ssl) ? { tls: tlsOf(config, cert) } : {}),
      };
    }
    case 'http':
    case 'https': {
      const status = config.expect_status;
      const expect = str(config.expect);
      const headers = Object.fromEntries(Object.entries(obj(config.headers)).map(([k, v]) => [k, String(v)]));
      return {
        kind: 'http',
        port: num(config.port, type === 'https' ? DEFAULTS.httpsPort : DEFAULTS.httpPort),
        method: (str(config.method) ?? DEFAULTS.httpMethod).toUpperCase(),
        path: str(config.path) ?? DEFAULTS.httpPath,
        ...(status !== undefined
          ? { expectStatus: (Array.isArray(status) ? status : [status]).map((s) => num(s, 0)) }
          : {}),
        ...(expect !== undefined ? { expect } : {}),
        headers,
        ...(type === 'https' ? { tls: tlsOf(config, cert) } : {}),
      };
    }
    case 'command':
      return { kind: 'command', command: str(config.command) ?? '', args: strList(config.arguments) ?? [] };
  }
}

function toCheck(name: string, raw: Raw, remote: boolean, cert: { pem: string; source: string } | undefined, inherit: ChildInherit): CheckSpec {
  const type = raw.type as CheckType;
  const every = num(raw.every, 1);
  const destination = str(raw.destination);
  const runOnHealthy = strList(raw.run_on_healthy);
  const runOnUnhealthy = strList(raw.run_on_unhealthy);
  return {
    name,
    remote,
    type,
    ...(destination !== undefined && !remote ? { destination } : {}),
    rise: num(raw.rise, DEFAULTS.rise),
    fall: num(raw.fall, DEFAULTS.fall),
    every,
    timeout: num(raw.timeout, Math.min(every, DEFAULTS.maxTimeout)),
    hookTimeout: num(raw.hook_timeout, DEFAULTS.hookTimeout),
    ...(runOnHealthy !== undefined ? { runOnHealthy } : {}),
    ...(runOnUnhealthy !== undefined ? { runOnUnhealthy } : {}),
    probe: toProbe(type, obj(raw.config), cert),
    inherit,
  };
}

export function toFinder(raw: Raw): FinderSpec {
  const config = obj(raw.config);
  const not = flag(raw.not);
  const type = raw.type as FinderType;
  switch (type) {
    case 'by_tag':
      return { kind: 'by_tag', key: str(config.key) ?? '', value: str(config.value) ?? '', not };
    case 'by_tag_regexp':
      return { kind: 'by_tag_regexp', key: str(config.key) ?? '', regexp: str(config.regexp) ?? '', not };
    case 'and':
    case 'or':
      return {
        kind: type,
        filters: (Array.isArray(config.filters) ? config.filters : []).map((f) => toFinder(obj(f))),
        not,
      };
    case 'main':
      return { kind: 'main', not };
    case 'subnet':
      return { kind: 'subnet', subnetId: str(config.subnet_id) ?? '', not };
    case 'has_route_to': {
      const c = parseCidr(str(config.cidr)?.trim() ?? '');
      return { kind: 'has_route_to', cidr: c.ok ? c.cidr.text : '', not };
    }
  }
}

function toRoute(raw: Raw, inherit: ChildInherit): RouteSpec {
  const parsed = parseCidr(str(raw.cidr)?.trim() ?? '');
  if (!parsed.ok) throw new Error('toRoute called on an unvalidated route');
  const hc = raw.healthcheck;
  const remote = str(raw.remote_healthcheck);
  const hooks: Partial<Record<RouteHookName, readonly string[]>> = {};
  for (const h of ROUTE_HOOKS) {
    const argv = strList(raw[h]);
    if (argv !== undefined) hooks[h] = argv;
  }
  return {
    cidr: parsed.cidr.text,
    family: parsed.cidr.family,
    instance: str(raw.instance) ?? 'SELF',
    healthchecks: typeof hc === 'string' ? [hc] : (strList(hc) ?? []),
    ...(remote !== undefined ? { remoteHealthcheck: remote } : {}),
    ifUnhealthy: flag(raw.if_unhealthy),
    neverDelete: flag(raw.never_delete),
    hooks,
    hookTimeout: num(raw.hook_timeout, DEFAULTS.hookTimeout),
    priority: num(raw.priority, DEFAULTS.priority),
    holdDown: num(raw.hold_down, DEFAULTS.holdDown),
    inherit,
  };
}

function statusOf(status: Raw): { statusSocket?: string; statusListen?: { host: string; port: number } } {
  const socket = str(status.socket) ?? DEFAULTS.statusSocket;
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(str(status.listen) ?? '');
  return {
    ...(socket !== '' ? { statusSocket: socket } : {}),
    ...(m?.[1] !== undefined ? { statusListen: { host: m[1], port: Number(m[2]) } } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * One conversion from a validated document to the model. `certs` holds the
 * PEM text the loader read for each check (`healthchecks.NAME` /
 * `remote_healthchecks.NAME`).
 */
export function toModel(file: string, raw: Raw, certs: ResolvedCerts): Config {
  // One setting for every child; each spec carries it, so a reload that changes it restarts the checks.
  const inherit: ChildInherit = { awsEnv: flag(raw.pass_aws_env), capabilities: flag(raw.pass_capabilities) };
  const checks = (section: string, remote: boolean): Record<string, CheckSpec> =>
    Object.fromEntries(
      Object.entries(obj(raw[section])).map(([name, c]) => [
        name,
        toCheck(name, obj(c), remote, certs.get(`${section}.${name}`), inherit),
      ]),
    );
  const tables = obj(raw.routetables ?? raw.route_tables);
  return deepFreeze({
    file,
    pollTime: num(raw.poll_time, DEFAULTS.pollTime),
    allVpcs: flag(raw.all_vpcs),
    inherit,
    ...statusOf(obj(raw.status)),
    drainStateFile: str(obj(raw.drain).state_file) ?? DEFAULTS.drainStateFile,
    maintenanceFile: str(obj(raw.drain).maintenance_file) ?? DEFAULTS.maintenanceFile,
    healthchecks: checks('healthchecks', false),
    remoteHealthchecks: checks('remote_healthchecks', true),
    routeTables: Object.entries(tables).map(([name, t]) => {
      const table = obj(t);
      const find = obj(table.find);
      return {
        name,
        find: toFinder(find),
        noResultsOk: flag(find.no_results_ok),
        routes: (Array.isArray(table.manage_routes) ? table.manage_routes : []).map((r) => toRoute(obj(r), inherit)),
      };
    }),
  });
}

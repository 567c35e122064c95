// The typed, frozen config model the rest of the program uses. The schema's
// transforms (schema/) build it as they validate, in one pass; every default
// is one of DEFAULTS (docs/configuration.md lists them).

export const CHECK_TYPES = ['ping', 'tcp', 'http', 'https', 'command'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export const FINDER_TYPES = ['by_tag', 'by_tag_regexp', 'and', 'or', 'main', 'subnet', 'has_route_to'] as const;
export type FinderType = (typeof FINDER_TYPES)[number];

export const ROUTE_HOOKS = [
  'run_before_add_route',
  'run_after_add_route',
  'run_before_replace_route',
  'run_after_replace_route',
  'run_before_delete_route',
  'run_after_delete_route',
] as const;

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
  handoffTimeout: 20,
  /** watch_time when a route has peers or a fallback (otherwise 0: off). */
  watchTime: 10,
  lifecyclePoll: 5,
  scheduledLead: 600,
} as const;

/** `peers:` of a route: running instances of our VPC whose tag `tagKey` is `tagValue` (placeholders allowed). */
export interface PeersSpec {
  readonly tagKey: string;
  readonly tagValue: string;
}

/** `lifecycle:`: which of the instance's own metadata signals start a hand-off. Seconds for poll and scheduledLead. */
export interface LifecycleSpec {
  readonly poll: number;
  readonly spotInterruption: boolean;
  readonly targetLifecycle: boolean;
  readonly scheduledEvents: boolean;
  readonly scheduledLead: number;
  readonly rebalance: boolean;
}

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
  /** Who the route may be handed to when this instance drains or stops. */
  readonly peers?: PeersSpec;
  /** A NAT gateway id that carries the route while no instance can. */
  readonly fallback?: string;
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
  /** On SIGTERM, hand routes off before exiting. */
  readonly handoffOnStop: boolean;
  /** Seconds the hand-off at stop may take. */
  readonly handoffTimeout: number;
  /** Seconds between re-reads of the tables we back up; 0 = off (resolved from the default rule). */
  readonly watchTime: number;
  readonly lifecycle: LifecycleSpec;
}

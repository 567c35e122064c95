// A client of a running `awsnycast sim` (for tests, benchmarks, the demo and user scripts); the daemon never imports it.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CountersSnapshot } from './counters.js';
import type { RecordedRequest } from './requests.js';
import type { InstanceInfo, RouteSnapshot, RouteTableSnapshot } from './simulator-api.js';
import type { Mutation } from './mutations.js';

export type { CountersSnapshot, InstanceInfo as SimInstance, Mutation, RouteSnapshot, RouteTableSnapshot };
export type { InstanceMutation, ResourceMutation, RouteMutation } from './mutations.js';

/** The JSON line `awsnycast sim` prints on stdout once it listens (the same as `GET /_sim/instances`). */
export interface SimInfo {
  readonly ec2Endpoint: string;
  readonly adminEndpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly instances: readonly InstanceInfo[];
}

/** The answer of `GET /_sim/mutations`: the log's newest seq, and the entries asked for. */
export interface MutationLog<M extends Mutation = Mutation> {
  readonly lastSeq: number;
  readonly entries: M[];
}

export type MutationKind = Mutation['kind'] | 'all';
type MutationOf<K extends MutationKind> = K extends Mutation['kind'] ? Extract<Mutation, { kind: K }> : Mutation;

/** The route-writing EC2 actions. */
export const ROUTE_WRITES = ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'] as const;

/**
 * Reads the simulator's start line from `child` (spawned with stdout, and
 * optionally stderr, piped). Fails with what the child wrote on stderr if it
 * exits first or prints nothing within `timeoutMs`; stopping the child is
 * left to the caller. Afterwards the rest of stdout is piped to `rest` or
 * drained, and stderr is drained.
 */
export function readStartLine(child: ChildProcess, options: { timeoutMs?: number; rest?: NodeJS.WritableStream } = {}): Promise<SimInfo> {
  const { timeoutMs = 60_000, rest } = options;
  const stdout = child.stdout;
  if (stdout === null) return Promise.reject(new Error('readStartLine: the child has no piped stdout'));
  let err = '';
  let starting = true;
  child.stderr?.on('data', (d: Buffer) => {
    if (starting) err += d.toString();
  });
  return new Promise<SimInfo>((ok, fail) => {
    const rl = createInterface({ input: stdout });
    const finish = (e: Error | null, info?: SimInfo): void => {
      if (!starting) return;
      starting = false;
      clearTimeout(timer);
      child.off('close', onClose);
      child.off('error', onError);
      rl.close();
      if (rest !== undefined) stdout.pipe(rest);
      else stdout.resume();
      if (e !== null) fail(e);
      else ok(info!);
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => finish(new Error(`sim exited ${code ?? signal}: ${err}`));
    const onError = (e: Error): void => finish(new Error(`sim did not start: ${e.message}`));
    const timer = setTimeout(() => finish(new Error(`sim did not start within ${timeoutMs / 1000} s: ${err}`)), timeoutMs);
    child.once('close', onClose);
    child.once('error', onError);
    rl.once('line', (line) => {
      try {
        finish(null, JSON.parse(line) as SimInfo);
      } catch {
        finish(new Error(`sim's first line is not JSON: ${line}\n${err}`));
      }
    });
  });
}

/** The simulator's admin API (`/_sim/...` on its admin endpoint); see docs/simulator.md. */
export class SimClient {
  constructor(readonly info: SimInfo) {}

  instance(id: string): InstanceInfo {
    const i = this.info.instances.find((x) => x.instanceId === id);
    if (i === undefined) throw new Error(`no instance ${id} in the world`);
    return i;
  }

  /** One admin call, `path` below `/_sim/`; a JSON `body` if given. Throws on an HTTP error status. */
  async admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.info.adminEndpoint}/_sim/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async tables(vpcId?: string): Promise<RouteTableSnapshot[]> {
    return (await this.admin<{ routeTables: RouteTableSnapshot[] }>('GET', `route-tables${vpcId !== undefined ? `?vpcId=${vpcId}` : ''}`)).routeTables;
  }

  async route(routeTableId: string, cidr: string): Promise<RouteSnapshot | undefined> {
    const t = await this.admin<{ routeTables: RouteTableSnapshot[] }>('GET', `route-tables?id=${routeTableId}`);
    return t.routeTables[0]?.routes.find((r) => r.cidr === cidr);
  }

  /** The mutation log's entries of one kind (or all) with seq greater than `since`. */
  mutations<K extends MutationKind>(kind: K, since = 0): Promise<MutationLog<MutationOf<K>>> {
    return this.admin('GET', `mutations?since=${since}${kind !== 'all' ? `&kind=${kind}` : ''}`);
  }

  /** The newest seq in the mutation log (0 when empty). */
  async lastSeq(): Promise<number> {
    return (await this.admin<MutationLog>('GET', `mutations?since=${Number.MAX_SAFE_INTEGER}`)).lastSeq;
  }

  /** The EC2 requests the simulator received after seq `since` (parameter and filter names), optionally of one caller. */
  requests(since = 0, caller?: string): Promise<{ lastSeq: number; entries: RecordedRequest[] }> {
    return this.admin('GET', `requests?since=${since}${caller !== undefined ? `&caller=${encodeURIComponent(caller)}` : ''}`);
  }

  /** EC2 calls per action and per caller since the start or the last `DELETE counters`. */
  counters(): Promise<CountersSnapshot> {
    return this.admin('GET', 'counters');
  }
}

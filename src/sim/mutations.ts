// The mutation log's entries: every change to routes, instance states and
// other resources, stamped with a sequence number and the time it happened
// (Ec2State.record writes them), and the query the admin API answers from it.
import type { InstanceStateName } from './model.js';

/** How a route target looks from outside (DescribeRouteTables, the mutation log). */
export interface TargetView {
  readonly gatewayId?: string;
  readonly instanceId?: string;
  readonly instanceOwnerId?: string;
  readonly natGatewayId?: string;
  readonly networkInterfaceId?: string;
  readonly state: 'active' | 'blackhole';
}

export interface RouteMutation {
  readonly kind: 'route';
  readonly seq: number;
  readonly time: string;
  readonly tMs: number;
  readonly wallMs: number;
  readonly action: string;
  readonly caller: string;
  readonly routeTableId: string;
  readonly cidr: string;
  readonly before: TargetView | null;
  readonly after: TargetView | null;
}

export interface InstanceMutation {
  readonly kind: 'instance';
  readonly seq: number;
  readonly time: string;
  readonly tMs: number;
  readonly wallMs: number;
  readonly action: string;
  readonly caller: string;
  readonly instanceId: string;
  readonly before: { readonly state: InstanceStateName } | null;
  readonly after: { readonly state: InstanceStateName };
}

export interface ResourceMutation {
  readonly kind: 'resource';
  readonly seq: number;
  readonly time: string;
  readonly tMs: number;
  readonly wallMs: number;
  readonly action: string;
  readonly caller: string;
  readonly resourceId: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type Mutation = RouteMutation | InstanceMutation | ResourceMutation;

/** An entry before the log stamps it. */
export type Unstamped<T extends Mutation = Mutation> = T extends unknown ? Omit<T, 'seq' | 'time' | 'tMs' | 'wallMs'> : never;

/** Who made a change: the EC2 action (or `admin:…`) and the caller's access key id (or `admin`, `sim`). */
export interface Who {
  readonly action: string;
  readonly caller: string;
}

export interface MutationQuery {
  /** Only entries with seq greater than this. */
  readonly since?: number;
  readonly kind?: Mutation['kind'];
  readonly routeTableId?: string;
  readonly cidr?: string;
  readonly instanceId?: string;
}

/** The entries of `log` that match every condition of `q`. */
export function queryMutations(log: readonly Mutation[], q: MutationQuery = {}): Mutation[] {
  return log.filter(
    (m) =>
      (q.since === undefined || m.seq > q.since) &&
      (q.kind === undefined || m.kind === q.kind) &&
      (q.routeTableId === undefined || (m.kind === 'route' && m.routeTableId === q.routeTableId)) &&
      (q.cidr === undefined || (m.kind === 'route' && m.cidr === q.cidr)) &&
      (q.instanceId === undefined || (m.kind === 'instance' && m.instanceId === q.instanceId)),
  );
}

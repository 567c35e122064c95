// Where routes point and where they should: the one place that says what a
// route's target is, which target a route spec wants, and whether a route is
// "ours" (points at what this daemon wants it to). The planner, the daemon's
// own-write memory, the status page and the metrics all ask these functions.
// Pure.
import type { RouteSpec } from '../config/model.js';
import type { PlaceholderValues } from '../config/values.js';
import type { CurrentRoute } from './reasons.js';
import type { Identity, PlanInput, RouteTableView, RouteTarget, RouteView } from './types.js';

/** The key of a managed route across maps: `routeTableId cidr`. */
export const routeKey = (routeTableId: string, cidr: string): string => `${routeTableId} ${cidr}`;

/** Where a route points, as the plan and its status show it: the interface, instance or gateway id. */
export function describeTarget(r: RouteView): CurrentRoute {
  const t = r.target;
  switch (t.kind) {
    case 'interface':
      return { target: t.networkInterfaceId, ...(t.instanceId !== undefined ? { ownerInstanceId: t.instanceId } : {}), state: r.state };
    case 'instance':
      return { target: t.instanceId, ownerInstanceId: t.instanceId, state: r.state };
    case 'other':
      return { target: t.id, state: r.state };
  }
}

/** Two routes (or absences of one) point at the same target. Interface, instance and gateway ids never collide. */
export function sameTarget(a: RouteView | undefined, b: RouteView | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return describeTarget(a).target === describeTarget(b).target;
}

export function placeholderValues(id: Identity): PlaceholderValues {
  return { az: id.az, region: id.region, vpc_id: id.vpcId, subnet_id: id.subnetId, instance_id: id.instanceId };
}

/** The target a route spec wants: an instance, and its forwarding interface when known. */
export interface WantedTarget {
  readonly instanceId: string;
  readonly networkInterfaceId?: string;
}

/**
 * The interface a route should point at and the instance behind it: ours for
 * `instance: SELF` (the default); for `instance: i-...` (as in the original,
 * a daemon may point a route at another instance) that instance's forwarding
 * interface, when the reader found one.
 */
export function routeTarget(route: RouteSpec, input: Pick<PlanInput, 'identity' | 'instanceInterfaces'>): WantedTarget {
  const me = input.identity;
  if (route.instance === 'SELF' || route.instance === me.instanceId) return { instanceId: me.instanceId, networkInterfaceId: me.networkInterfaceId };
  const eni = input.instanceInterfaces?.[route.instance];
  return { instanceId: route.instance, ...(eni !== undefined ? { networkInterfaceId: eni } : {}) };
}

/** The route points at the target its spec wants ("ours"); a missing route is not. */
export function isOurs(existing: RouteView | undefined, want: WantedTarget): boolean {
  const t = existing?.target;
  if (t === undefined) return false;
  return (t.kind === 'interface' && t.networkInterfaceId === want.networkInterfaceId) || (t.kind === 'instance' && t.instanceId === want.instanceId);
}

/** The route for `cidr` in table `routeTableId` of `tables`, if any. */
export function findRoute(tables: readonly RouteTableView[], routeTableId: string, cidr: string): RouteView | undefined {
  return tables.find((t) => t.id === routeTableId)?.routes.find((r) => r.destination === cidr);
}

/** The target a route written with this id points at: a NAT gateway (nat-...) or a network interface. */
export function targetFromId(id: string): RouteTarget {
  return id.startsWith('nat-') ? { kind: 'other', id } : { kind: 'interface', networkInterfaceId: id };
}

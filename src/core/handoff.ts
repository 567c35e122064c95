// Where a route goes when the instance carrying it steps aside: to the
// best-ranked healthy peer (make-before-break: one ReplaceRoute, the route
// never missing), else to the route's fallback NAT gateway while that is
// `available`, else nowhere (the route stays; this instance still forwards).
// Peers are ranked as backups rank themselves (confirm.ts rankDelayMs:
// priority, then a stable hash), so the peer chosen is the one that would
// have won the race to take the route. Pure.
import type { PeersSpec, RouteSpec } from '../config/model.js';
import { substitute, type PlaceholderValues } from '../config/values.js';
import { rankDelayMs } from './confirm.js';
import type { PeerView, PlanInput } from './types.js';

/** The key of a `peers` finder once its placeholders are filled in. */
export const peersKey = (p: PeersSpec, values: PlaceholderValues): string => `${p.tagKey}=${substitute(p.tagValue, values)}`;

export type HandoffTarget =
  | { readonly kind: 'peer'; readonly instanceId: string; readonly networkInterfaceId: string }
  | { readonly kind: 'fallback'; readonly id: string };

export interface HandoffChoice {
  /** Undefined: nothing can carry the route. */
  readonly to?: HandoffTarget;
  /** A sentence: why this target, or why none. */
  readonly why: string;
}

/** Why the route's fallback cannot be used now; undefined when it can (the gateway is `available`). */
export function fallbackProblem(route: RouteSpec, input: Pick<PlanInput, 'natGateways' | 'identity'>): string | undefined {
  if (route.fallback === undefined) return 'no fallback is configured';
  const g = input.natGateways?.[route.fallback];
  if (g === undefined) return `fallback ${route.fallback} is unknown to EC2`;
  // A gateway of another VPC cannot be a route's target here (every ReplaceRoute would fail).
  if (g.vpcId !== undefined && g.vpcId !== input.identity.vpcId) return `fallback ${route.fallback} is in ${g.vpcId}, not this instance's VPC`;
  return g.state === 'available' ? undefined : `fallback ${route.fallback} is ${g.state}`;
}

/** The peers of a route in rank order, each with why it cannot take the route (undefined: it can). */
export function rankedPeers(
  route: RouteSpec,
  routeTableId: string,
  key: string,
  input: PlanInput,
  values: PlaceholderValues,
): { readonly peer: PeerView; readonly problem?: string }[] {
  if (route.peers === undefined) return [];
  const me = input.identity;
  const found = (input.peers?.[peersKey(route.peers, values)] ?? []).filter((p) => p.instanceId !== me.instanceId && (p.ip === undefined || !me.ownIps.includes(p.ip)));
  const rank = (p: PeerView): number => rankDelayMs(route.priority, p.instanceId, routeTableId, route.cidr);
  const sorted = [...found].sort((a, b) => rank(a) - rank(b) || (a.instanceId < b.instanceId ? -1 : 1));
  const since = input.ownerSince?.[key];
  const recent = since !== undefined && input.now !== undefined && input.now - since < route.holdDown * 1000;
  return sorted.map((peer) => {
    const problem = peerProblem(route, peer, input, recent ? input.previousTarget?.[key] : undefined);
    return problem === undefined ? { peer } : { peer, problem };
  });
}

function peerProblem(route: RouteSpec, peer: PeerView, input: PlanInput, cameFrom: string | undefined): string | undefined {
  // Two instances stepping aside at once would hand the route back and forth: not back to the one that
  // just gave it to us (within hold_down).
  if (cameFrom !== undefined && (cameFrom === peer.networkInterfaceId || cameFrom === peer.instanceId))
    return 'it handed the route to us less than hold_down ago';
  const name = route.remoteHealthcheck;
  if (name === undefined) return undefined;
  if (peer.ip === undefined) return `its interface has no private IP for remote check ${name}`;
  const c = input.remoteChecks[name]?.[peer.ip];
  if (c === undefined || !c.decided) return `remote check ${name} of ${peer.ip} has not decided yet`;
  return c.healthy ? undefined : `fails remote check ${name} (${peer.ip})`;
}

/** Where to hand the route: the first healthy peer, else a usable fallback, else nowhere (with why). */
export function handoffChoice(route: RouteSpec, routeTableId: string, key: string, input: PlanInput, values: PlaceholderValues): HandoffChoice {
  // A route that came to us while we were stepping aside goes on to the fallback only: drained instances
  // (an Auto Scaling scale-in drains several) must not pass it around among themselves.
  const since = input.ownerSince?.[key];
  const cameWhileDrained = input.drain?.since !== undefined && since !== undefined && since > input.drain.since;
  const ranked = cameWhileDrained
    ? rankedPeers(route, routeTableId, key, input, values).map((r) => ({ peer: r.peer, problem: 'the route came to us while this instance was stepping aside; only the fallback may take it on' }))
    : rankedPeers(route, routeTableId, key, input, values);
  const best = ranked.find((r) => r.problem === undefined);
  const fb = fallbackProblem(route, input);
  // A fallback that could not be used is always said, so status shows it before it is needed.
  const fbNote = route.fallback !== undefined && fb !== undefined ? `; ${fb}, not usable` : '';
  if (best !== undefined)
    return { to: { kind: 'peer', instanceId: best.peer.instanceId, networkInterfaceId: best.peer.networkInterfaceId }, why: `peer ${best.peer.instanceId} is healthy${fbNote}` };
  const refused = ranked.map((r) => `${r.peer.instanceId}: ${r.problem}`);
  const peers = route.peers === undefined ? undefined : refused.length === 0 ? 'no peer found by its tag' : `no healthy peer (${refused.join('; ')})`;
  if (fb === undefined) return { to: { kind: 'fallback', id: route.fallback! }, why: `${peers ?? 'no peers configured'}; fallback ${route.fallback} is available` };
  return { why: [peers, route.fallback !== undefined ? fb : undefined].filter((x) => x !== undefined).join('; ') };
}

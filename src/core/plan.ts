// The planner: config + what EC2 showed us + the health of every check + who
// we are -> one action per managed (route table, CIDR), each with a reason.
// Pure: no I/O, no clock, no randomness. `plan`, `-noop` and the status page
// all show this value; the daemon applies it.
import type { Config, RouteSpec } from '../config/model.js';
import type { PlaceholderValues } from '../config/values.js';
import { findTables } from './finders.js';
import { GONE, GONE_CONFIRM_MS, type CheckView, type Identity, type PlanInput, type RouteTableView, type RouteView } from './types.js';

export type ActionKind = 'create' | 'replace' | 'delete' | 'none';

/** Stable reason codes; the text that goes with each is in REASON_TEXT. */
export const Reason = {
  Owned: 'OWNED',
  MissingCreate: 'MISSING_CREATE',
  CheckUndecided: 'CHECK_UNDECIDED',
  CheckUnhealthy: 'CHECK_UNHEALTHY',
  CheckUnhealthyDelete: 'CHECK_UNHEALTHY_DELETE',
  NeverDelete: 'NEVER_DELETE',
  Preempt: 'PREEMPT',
  OwnerBlackhole: 'OWNER_BLACKHOLE',
  OwnerNotRunning: 'OWNER_NOT_RUNNING',
  /** EC2 no longer knows the owner instance (terminated a while ago). */
  OwnerGone: 'OWNER_GONE',
  OwnerImpaired: 'OWNER_IMPAIRED',
  OwnerRemoteUnhealthy: 'OWNER_REMOTE_UNHEALTHY',
  OwnerRemoteUndecided: 'OWNER_REMOTE_UNDECIDED',
  /** The remote check's failing verdict was formed before the owner took the route; waiting for a fresh one. */
  OwnerRemoteStale: 'OWNER_REMOTE_STALE',
  OwnerAlive: 'OWNER_ALIVE',
  NonInstanceTarget: 'NON_INSTANCE_TARGET',
  HoldDown: 'HOLD_DOWN',
  Drained: 'DRAINED',
  DrainedDelete: 'DRAINED_DELETE',
  Flapping: 'FLAPPING',
  /** Our own write of this route moments ago is not visible yet; no new change until it is (or the window ends). */
  OwnWriteUnseen: 'OWN_WRITE_UNSEEN',
  /** `instance: i-...` names an instance whose forwarding interface is unknown. */
  TargetUnknown: 'TARGET_UNKNOWN',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export interface CurrentRoute {
  /** Interface id, instance id, or gateway id the route points at. */
  readonly target: string;
  readonly ownerInstanceId?: string;
  readonly state: 'active' | 'blackhole';
}

export interface PlannedAction {
  readonly routeTableId: string;
  /** The config's name for the route table entry that found this table. */
  readonly tableName: string;
  readonly cidr: string;
  readonly action: ActionKind;
  /** For create/replace: the interface id the route will point at. */
  readonly target?: string;
  readonly current?: CurrentRoute;
  readonly reason: Reason;
  /** A sentence for logs and humans. */
  readonly detail: string;
  /** For a hold-down: in how many ms the decision may change (the daemon plans again then). */
  readonly retryAfterMs?: number;
  /** The owner IP the route's remote check must watch (the current owner, when it is not us). */
  readonly watch?: string;
  /** The route spec this action is for. */
  readonly route: RouteSpec;
}

export interface PlanProblem {
  readonly code: 'PLAN_NO_TABLES' | 'PLAN_CIDR_CLAIMED_TWICE';
  readonly tableName: string;
  readonly message: string;
}

export interface Plan {
  readonly actions: readonly PlannedAction[];
  readonly problems: readonly PlanProblem[];
  /** Remote check template name -> owner IPs it must run against. */
  readonly remoteTargets: Readonly<Record<string, readonly string[]>>;
}

type Gate = 'healthy' | 'undecided' | 'unhealthy';

/** All of a route's local checks decided-healthy (no checks = healthy). */
function gateOf(route: RouteSpec, checks: Readonly<Record<string, CheckView>>): Gate {
  let undecided = false;
  for (const name of route.healthchecks) {
    const c = checks[name];
    if (c === undefined || !c.decided) undecided = true;
    else if (!c.healthy) return 'unhealthy';
  }
  // A check that has decided healthy may still be flagged undecided by the
  // reducer's rules; only decided && healthy counts.
  return undecided ? 'undecided' : 'healthy';
}

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

export function placeholderValues(id: Identity): PlaceholderValues {
  return { az: id.az, region: id.region, vpc_id: id.vpcId, subnet_id: id.subnetId, instance_id: id.instanceId };
}

/**
 * The interface a route should point at and the instance behind it: ours for
 * `instance: SELF` (the default); for `instance: i-...` (as in the original,
 * a daemon may point a route at another instance) that instance's forwarding
 * interface, when the reader found one.
 */
export function routeTarget(
  route: RouteSpec,
  input: Pick<PlanInput, 'identity' | 'instanceInterfaces'>,
): { instanceId: string; networkInterfaceId?: string } {
  const me = input.identity;
  if (route.instance === 'SELF' || route.instance === me.instanceId) return { instanceId: me.instanceId, networkInterfaceId: me.networkInterfaceId };
  const eni = input.instanceInterfaces?.[route.instance];
  return { instanceId: route.instance, ...(eni !== undefined ? { networkInterfaceId: eni } : {}) };
}

interface Decision {
  action: ActionKind;
  reason: Reason;
  detail: string;
  retryAfterMs?: number;
  /** The owner IP a remote check must watch, if any. */
  watch?: string;
}

/** Drained: never create or take over; withdraw our own routes (never_delete only with force). */
function drained(route: RouteSpec, existing: RouteView | undefined, input: PlanInput, want: { instanceId: string; networkInterfaceId?: string }): Decision {
  const t = existing?.target;
  const ours =
    t !== undefined &&
    ((t.kind === 'interface' && t.networkInterfaceId === want.networkInterfaceId) || (t.kind === 'instance' && t.instanceId === want.instanceId));
  if (!ours) return { action: 'none', reason: Reason.Drained, detail: 'this instance is drained; not creating or taking over routes' };
  if (route.neverDelete && input.drain?.force !== true)
    return { action: 'none', reason: Reason.Drained, detail: 'this instance is drained, but never_delete keeps our route (drain --force withdraws it)' };
  return { action: 'delete', reason: Reason.DrainedDelete, detail: 'this instance is drained; withdrawing our route so a backup can take it' };
}

export const routeKey = (routeTableId: string, cidr: string): string => `${routeTableId} ${cidr}`;

/**
 * Why a primary must not take a live route back yet, if it must not: the
 * route keeps being taken back (flapping), this daemon changed it less than
 * hold_down ago, or our checks have been healthy for less than hold_down.
 */
function preemptBlock(route: RouteSpec, key: string, ownerText: string, input: PlanInput): Decision | undefined {
  const other = input.flapping?.[key];
  if (other !== undefined)
    return {
      action: 'none',
      reason: Reason.Flapping,
      detail: `route keeps being taken back by ${other} while ${input.identity.instanceId} is primary too; stopped taking it back until that changes (two primaries for one route?)`,
    };
  const holdMs = route.holdDown * 1000;
  if (holdMs <= 0 || input.now === undefined) return undefined;
  const last = input.lastChange?.[key];
  if (last !== undefined && input.now - last < holdMs)
    return {
      action: 'none',
      reason: Reason.HoldDown,
      detail: `we changed this route ${Math.round((input.now - last) / 1000)} s ago; hold_down is ${route.holdDown} s`,
      retryAfterMs: holdMs - (input.now - last),
    };
  const since =
    route.healthchecks.length === 0
      ? input.startedAt
      : Math.max(...route.healthchecks.map((n) => input.healthySince?.[n] ?? Infinity));
  if (since !== undefined && Number.isFinite(since) && input.now - since < holdMs)
    return {
      action: 'none',
      reason: Reason.HoldDown,
      detail: `our checks have been healthy for ${Math.max(0, Math.round((input.now - since) / 1000))} s; taking the route from ${ownerText} after hold_down (${route.holdDown} s)`,
      retryAfterMs: holdMs - (input.now - since),
    };
  return undefined;
}

function decide(route: RouteSpec, existing: RouteView | undefined, input: PlanInput, key: string): Decision {
  const me = input.identity;
  const gate = gateOf(route, input.checks);
  const checkNames = route.healthchecks.join(', ');

  const want = routeTarget(route, input);
  if (input.drain !== undefined) return drained(route, existing, input, want);
  if (want.networkInterfaceId === undefined) {
    return {
      action: 'none',
      reason: Reason.TargetUnknown,
      detail: `instance ${route.instance} has no interface with source/destination check disabled (or EC2 does not know it); not touching the route`,
    };
  }

  if (existing === undefined) {
    if (gate === 'healthy') return { action: 'create', reason: Reason.MissingCreate, detail: 'route is missing and our checks are healthy' };
    if (gate === 'undecided') return { action: 'none', reason: Reason.CheckUndecided, detail: `route is missing; waiting for our check (${checkNames}) to decide` };
    return { action: 'none', reason: Reason.CheckUnhealthy, detail: `route is missing; our check (${checkNames}) is unhealthy` };
  }

  const t = existing.target;
  const ours =
    (t.kind === 'interface' && t.networkInterfaceId === want.networkInterfaceId) ||
    (t.kind === 'instance' && t.instanceId === want.instanceId);
  if (ours) {
    if (gate === 'unhealthy') {
      if (route.neverDelete)
        return { action: 'none', reason: Reason.NeverDelete, detail: `our check (${checkNames}) is unhealthy, but never_delete keeps our route` };
      return { action: 'delete', reason: Reason.CheckUnhealthyDelete, detail: `our check (${checkNames}) is unhealthy; withdrawing our route` };
    }
    return { action: 'none', reason: Reason.Owned, detail: 'route points at us' };
  }

  // The route points elsewhere. Never take over on an undecided or failing check.
  if (gate === 'undecided') return { action: 'none', reason: Reason.CheckUndecided, detail: `waiting for our check (${checkNames}) to decide before taking over` };
  if (gate === 'unhealthy') return { action: 'none', reason: Reason.CheckUnhealthy, detail: `our check (${checkNames}) is unhealthy; not taking over` };

  if (!route.ifUnhealthy) {
    const from = describeTarget(existing).target;
    // A dead owner is taken over at once; only a live one is subject to hold-down and flap detection.
    const ownerDead = existing.state === 'blackhole';
    const block = ownerDead ? undefined : preemptBlock(route, key, from, input);
    if (block !== undefined) return block;
    return { action: 'replace', reason: Reason.Preempt, detail: `we are primary for this route (no if_unhealthy); taking it from ${from}` };
  }

  // Backup rules: take over only when the owner is dead.
  if (existing.state === 'blackhole')
    return { action: 'replace', reason: Reason.OwnerBlackhole, detail: `route is a blackhole (owner ${describeTarget(existing).target} is gone)` };
  if (t.kind === 'other')
    return { action: 'none', reason: Reason.NonInstanceTarget, detail: `route points at ${t.id}, not an instance; backups leave it alone` };

  const ownerInstance = t.kind === 'instance' ? t.instanceId : (t.instanceId ?? input.interfaceOwners[t.networkInterfaceId]);
  const facts = ownerInstance !== undefined ? input.owners[ownerInstance] : undefined;
  // An owner EC2 has only just started not to know: not dead yet (below), looked at again when it would be.
  let goneWaitMs: number | undefined;
  if (facts !== undefined) {
    if (facts.state === GONE) {
      // Eventual consistency: a just-launched instance can be unknown for a while; only a lasting answer counts.
      const since = input.goneSince?.[ownerInstance!] ?? input.now;
      const forMs = input.now !== undefined && since !== undefined ? input.now - since : 0;
      if (forMs >= GONE_CONFIRM_MS)
        return { action: 'replace', reason: Reason.OwnerGone, detail: `owner ${ownerInstance} no longer exists (EC2 has not known it for ${Math.round(forMs / 1000)} s)` };
      goneWaitMs = GONE_CONFIRM_MS - forMs;
    } else if (facts.state !== 'running')
      return { action: 'replace', reason: Reason.OwnerNotRunning, detail: `owner ${ownerInstance} is ${facts.state}` };
    if (facts.instanceStatus === 'impaired' || facts.systemStatus === 'impaired')
      return {
        action: 'replace',
        reason: Reason.OwnerImpaired,
        detail: `owner ${ownerInstance} is impaired (instance status ${facts.instanceStatus ?? 'unknown'}, system status ${facts.systemStatus ?? 'unknown'})`,
      };
  }

  if (route.remoteHealthcheck !== undefined) {
    const ownerIp = t.kind === 'interface' ? input.interfaceIps[t.networkInterfaceId] : undefined;
    if (ownerIp !== undefined && !me.ownIps.includes(ownerIp)) {
      const remote = input.remoteChecks[route.remoteHealthcheck]?.[ownerIp];
      if (remote === undefined || !remote.decided)
        return { action: 'none', reason: Reason.OwnerRemoteUndecided, detail: `waiting for remote check ${route.remoteHealthcheck} of owner ${ownerIp} to decide`, watch: ownerIp };
      if (!remote.healthy) {
        const stale = staleVerdict(remote, input.ownerSince?.[key]);
        if (stale !== undefined)
          return {
            action: 'none',
            reason: Reason.OwnerRemoteStale,
            detail: `remote check ${route.remoteHealthcheck} of owner ${ownerIp} is unhealthy, but only ${stale.fresh} of its ${remote.fall} failures came after the owner took the route; waiting for a fresh verdict`,
            watch: ownerIp,
            retryAfterMs: stale.waitMs,
          };
        return { action: 'replace', reason: Reason.OwnerRemoteUnhealthy, detail: `remote check ${route.remoteHealthcheck} of owner ${ownerIp} is unhealthy`, watch: ownerIp };
      }
      return { action: 'none', reason: Reason.OwnerAlive, detail: `owner ${ownerIp} passes remote check ${route.remoteHealthcheck}; we are backup`, watch: ownerIp };
    }
  }
  if (goneWaitMs !== undefined)
    return {
      action: 'none',
      reason: Reason.OwnerAlive,
      detail: `EC2 says owner ${ownerInstance} does not exist; counting it dead if that lasts ${Math.ceil(goneWaitMs / 1000)} s more (a just-launched instance can be unknown for a while)`,
      retryAfterMs: goneWaitMs,
    };
  return {
    action: 'none',
    reason: Reason.OwnerAlive,
    detail: `owner ${ownerInstance ?? describeTarget(existing).target} looks alive; we are backup`,
  };
}

/**
 * A failing remote verdict is stale when fewer than `fall` of the check's
 * latest consecutive failures came after the owner took the route
 * (`ownerSince`): it was formed against an earlier owner (or an earlier
 * outage of this one). Undefined when the verdict is fresh or cannot be
 * judged (no timing known: acted on, as before).
 */
export function staleVerdict(remote: CheckView, ownerSince: number | undefined): { fresh: number; waitMs: number } | undefined {
  if (ownerSince === undefined || remote.failingRun === undefined || remote.fall === undefined) return undefined;
  const fresh = remote.failingRun.filter((t) => t >= ownerSince).length;
  if (fresh >= remote.fall) return undefined;
  return { fresh, waitMs: (remote.fall - fresh) * (remote.everyMs ?? 1000) + 100 };
}

function remoteWatchFor(route: RouteSpec, existing: RouteView | undefined, input: PlanInput): string | undefined {
  // Remote checks follow the owner of every route that names one, whatever we decide now,
  // so their state is ready when it is needed.
  if (route.remoteHealthcheck === undefined || existing === undefined) return undefined;
  const t = existing.target;
  if (t.kind !== 'interface' || t.networkInterfaceId === routeTarget(route, input).networkInterfaceId) return undefined;
  const ip = input.interfaceIps[t.networkInterfaceId];
  return ip !== undefined && !input.identity.ownIps.includes(ip) ? ip : undefined;
}

export function plan(config: Config, input: PlanInput): Plan {
  const values = placeholderValues(input.identity);
  const actions: PlannedAction[] = [];
  const problems: PlanProblem[] = [];
  const claimed = new Map<string, string>();
  // Tables of other VPCs are never acted on unless the config opts in (all_vpcs), whatever the reader returned.
  const pool = config.allVpcs ? input.tables : input.tables.filter((t) => t.vpcId === input.identity.vpcId);
  for (const spec of config.routeTables) {
    const tables: RouteTableView[] = findTables(spec.find, pool, values);
    if (tables.length === 0 && !spec.noResultsOk)
      problems.push({ code: 'PLAN_NO_TABLES', tableName: spec.name, message: `no route table of ${input.identity.vpcId} matches the finder of ${spec.name}` });
    for (const table of tables) {
      for (const route of spec.routes) {
        const key = routeKey(table.id, route.cidr);
        const first = claimed.get(key);
        if (first !== undefined) {
          problems.push({
            code: 'PLAN_CIDR_CLAIMED_TWICE',
            tableName: spec.name,
            message: `${route.cidr} in ${table.id} is managed by both ${first} and ${spec.name}; only ${first} acts on it`,
          });
          continue;
        }
        claimed.set(key, spec.name);
        const existing = table.routes.find((r) => r.destination === route.cidr);
        let d = decide(route, existing, input, key);
        const until = input.unseenWrites?.[key];
        const holdMs = until !== undefined && input.now !== undefined ? until - input.now : 0;
        if (d.action !== 'none' && holdMs > 0)
          d = {
            action: 'none',
            reason: Reason.OwnWriteUnseen,
            detail: `would ${d.action} (${d.reason}), but EC2 does not show our own write of this route from moments ago yet (eventual consistency); waiting up to ${Math.ceil(holdMs / 1000)} s for it`,
            retryAfterMs: holdMs,
            ...(d.watch !== undefined ? { watch: d.watch } : {}),
          };
        const watch = route.remoteHealthcheck === undefined ? undefined : (d.watch ?? remoteWatchFor(route, existing, input));
        actions.push({
          routeTableId: table.id,
          tableName: spec.name,
          cidr: route.cidr,
          action: d.action,
          ...(d.action === 'create' || d.action === 'replace' ? { target: routeTarget(route, input).networkInterfaceId } : {}),
          ...(existing !== undefined ? { current: describeTarget(existing) } : {}),
          reason: d.reason,
          detail: d.detail,
          ...(d.retryAfterMs !== undefined ? { retryAfterMs: Math.max(0, Math.ceil(d.retryAfterMs)) } : {}),
          ...(watch !== undefined ? { watch } : {}),
          route,
        });
      }
    }
  }
  return { actions, problems, remoteTargets: remoteTargets(actions) };
}

/** Remote check template name -> the owner IPs it must run against: the `watch` of every action. */
export function remoteTargets(actions: readonly PlannedAction[]): Record<string, string[]> {
  const remote = new Map<string, Set<string>>();
  for (const a of actions) {
    const name = a.route.remoteHealthcheck;
    if (a.watch === undefined || name === undefined) continue;
    const set = remote.get(name) ?? new Set<string>();
    set.add(a.watch);
    remote.set(name, set);
  }
  return Object.fromEntries([...remote].map(([k, v]) => [k, [...v].sort()]));
}

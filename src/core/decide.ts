// The planner's rules for one route: given the route as EC2 shows it and how
// our checks, the owner's facts and its remote check stand, what to do and
// why. Pure: no I/O, no clock (the time comes in PlanInput.now).
import type { RouteSpec } from '../config/model.js';
import { fallbackProblem, handoffChoice } from './handoff.js';
import { Reason, type ActionKind } from './reasons.js';
import { describeTarget, isOurs, placeholderValues, routeTarget, type WantedTarget } from './targets.js';
import { GONE, GONE_CONFIRM_MS, type CheckView, type PlanInput, type RouteView } from './types.js';

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

export interface Decision {
  action: ActionKind;
  reason: Reason;
  detail: string;
  retryAfterMs?: number;
  /** The owner IP a remote check must watch, if any. */
  watch?: string;
  /** For a create or replace that does not point the route at our interface: the peer's interface or the fallback's id. */
  target?: string;
}

/**
 * Drained (by the operator, a lifecycle signal or a stop): never create or
 * take over. A route of ours goes to a healthy peer or the fallback (one
 * ReplaceRoute: never missing); a route with peers or a fallback but nowhere
 * to go stays (this instance still forwards) unless `force`. Without either,
 * the original's rule: withdraw it (never_delete only with force).
 */
function drained(route: RouteSpec, existing: RouteView | undefined, input: PlanInput, want: WantedTarget, routeTableId: string, key: string): Decision {
  const why = input.drain?.why ?? 'this instance is drained';
  if (!isOurs(existing, want)) return { action: 'none', reason: Reason.Drained, detail: `${why}; not creating or taking over routes` };
  if (route.peers !== undefined || route.fallback !== undefined) {
    const c = handoffChoice(route, routeTableId, key, input, placeholderValues(input.identity));
    if (c.to?.kind === 'peer')
      return { action: 'replace', reason: Reason.Handoff, detail: `${why}; handing the route to ${c.to.instanceId} (${c.why})`, target: c.to.networkInterfaceId };
    if (c.to?.kind === 'fallback') return { action: 'replace', reason: Reason.HandoffFallback, detail: `${why}; handing the route to its fallback (${c.why})`, target: c.to.id };
    if (input.drain?.force === true) return { action: 'delete', reason: Reason.DrainedDelete, detail: `${why} with force, and nothing can carry the route (${c.why}); withdrawing it` };
    return { action: 'none', reason: Reason.HandoffNone, detail: `${why}, but nothing can carry the route (${c.why}); keeping it while this instance still forwards` };
  }
  if (route.neverDelete && input.drain?.force !== true)
    return { action: 'none', reason: Reason.Drained, detail: 'this instance is drained, but never_delete keeps our route (drain --force withdraws it)' };
  return { action: 'delete', reason: Reason.DrainedDelete, detail: 'this instance is drained; withdrawing our route so a backup can take it' };
}

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

export function decide(route: RouteSpec, existing: RouteView | undefined, input: PlanInput, key: string, routeTableId: string): Decision {
  const gate = gateOf(route, input.checks);
  const checkNames = route.healthchecks.join(', ');

  const want = routeTarget(route, input);
  if (input.drain !== undefined) return drained(route, existing, input, want, routeTableId, key);
  if (want.networkInterfaceId === undefined) {
    return {
      action: 'none',
      reason: Reason.TargetUnknown,
      detail: `instance ${route.instance} has no interface with source/destination check disabled (or EC2 does not know it); not touching the route`,
    };
  }

  // The fallback, when it can carry the route now (a NAT gateway that is `available`).
  const fallback = route.fallback !== undefined && fallbackProblem(route, input) === undefined ? route.fallback : undefined;
  if (existing === undefined) {
    if (gate === 'healthy') return { action: 'create', reason: Reason.MissingCreate, detail: 'route is missing and our checks are healthy' };
    if (gate === 'undecided') return { action: 'none', reason: Reason.CheckUndecided, detail: `route is missing; waiting for our check (${checkNames}) to decide` };
    if (fallback !== undefined)
      return { action: 'create', reason: Reason.MissingFallback, detail: `route is missing and our check (${checkNames}) is unhealthy; pointing it at its fallback ${fallback}`, target: fallback };
    return { action: 'none', reason: Reason.CheckUnhealthy, detail: `route is missing; our check (${checkNames}) is unhealthy` };
  }

  const t = existing.target;
  const atFallback = t.kind === 'other' && t.id === route.fallback;
  if (isOurs(existing, want)) {
    if (gate === 'unhealthy') {
      // A working gateway beats both a route through an instance whose checks fail and a missing route.
      if (fallback !== undefined)
        return { action: 'replace', reason: Reason.CheckUnhealthyFallback, detail: `our check (${checkNames}) is unhealthy; handing the route to its fallback ${fallback}`, target: fallback };
      if (route.neverDelete)
        return { action: 'none', reason: Reason.NeverDelete, detail: `our check (${checkNames}) is unhealthy, but never_delete keeps our route` };
      return { action: 'delete', reason: Reason.CheckUnhealthyDelete, detail: `our check (${checkNames}) is unhealthy; withdrawing our route` };
    }
    return { action: 'none', reason: Reason.Owned, detail: 'route points at us' };
  }

  // The route points elsewhere. Never take over on an undecided or failing check.
  if (gate === 'undecided') return { action: 'none', reason: Reason.CheckUndecided, detail: `waiting for our check (${checkNames}) to decide before taking over` };
  if (gate === 'unhealthy') {
    // The owner is dead and we cannot carry the route: the fallback can. Dead by what EC2 says only (blackhole,
    // gone, not running, impaired): our own remote verdict is not trusted while our own checks fail (a broken
    // network here would fail both, and move a healthy owner's route to the fallback again and again).
    if (fallback !== undefined && !atFallback) {
      const r = existing.state === 'blackhole' || !route.ifUnhealthy ? undefined : backupRules(route, existing, input, key);
      const dead = existing.state === 'blackhole' || (r?.action === 'replace' && r.reason !== Reason.OwnerRemoteUnhealthy);
      if (dead)
        return {
          action: 'replace',
          reason: Reason.OwnerDeadFallback,
          detail: `the route's owner is dead and our check (${checkNames}) is unhealthy; pointing the route at its fallback ${fallback}`,
          target: fallback,
        };
    }
    return { action: 'none', reason: Reason.CheckUnhealthy, detail: `our check (${checkNames}) is unhealthy; not taking over` };
  }

  if (!route.ifUnhealthy) {
    const from = describeTarget(existing).target;
    // An owner that is dead or failing by a backup's own rules (EC2's facts, a fresh remote verdict) is taken
    // over at once: hold-down and flap detection guard only against taking a route from a live, healthy owner.
    if (existing.state !== 'blackhole' && t.kind !== 'other') {
      const r = backupRules(route, existing, input, key);
      if (r.action === 'replace') return r;
    }
    // A dead owner is taken over at once; only a live one is subject to hold-down and flap detection.
    const ownerDead = existing.state === 'blackhole';
    const block = ownerDead ? undefined : preemptBlock(route, key, from, input);
    if (block !== undefined) return block;
    return { action: 'replace', reason: Reason.Preempt, detail: `we are primary for this route (no if_unhealthy); taking it from ${from}` };
  }

  if (atFallback && existing.state === 'active')
    return { action: 'replace', reason: Reason.FallbackTakeback, detail: `route is at its fallback ${t.kind === 'other' ? t.id : ''} and our checks are healthy; taking it back` };
  return backupRules(route, existing, input, key);
}

/** Backup rules: take over only when the owner is dead. */
function backupRules(route: RouteSpec, existing: RouteView, input: PlanInput, key: string): Decision {
  const me = input.identity;
  const t = existing.target;
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
function staleVerdict(remote: CheckView, ownerSince: number | undefined): { fresh: number; waitMs: number } | undefined {
  if (ownerSince === undefined || remote.failingRun === undefined || remote.fall === undefined) return undefined;
  const fresh = remote.failingRun.filter((t) => t >= ownerSince).length;
  if (fresh >= remote.fall) return undefined;
  return { fresh, waitMs: (remote.fall - fresh) * (remote.everyMs ?? 1000) + 100 };
}

export function remoteWatchFor(route: RouteSpec, existing: RouteView | undefined, input: PlanInput): string | undefined {
  // Remote checks follow the owner of every route that names one, whatever we decide now,
  // so their state is ready when it is needed.
  if (route.remoteHealthcheck === undefined || existing === undefined) return undefined;
  const t = existing.target;
  if (t.kind !== 'interface' || isOurs(existing, routeTarget(route, input))) return undefined;
  const ip = input.interfaceIps[t.networkInterfaceId];
  return ip !== undefined && !input.identity.ownIps.includes(ip) ? ip : undefined;
}

/**
 * A change of a route whose own write of moments ago the read does not show
 * yet is held (OWN_WRITE_UNSEEN) until the read shows it or the window ends:
 * the read may only be stale (see own-writes.ts). A decision of no change on
 * such a read is looked at again when the window ends.
 */
export function holdForUnseenWrite(d: Decision, key: string, input: PlanInput): Decision {
  const until = input.unseenWrites?.[key];
  const holdMs = until !== undefined && input.now !== undefined ? until - input.now : 0;
  if (holdMs <= 0) return d;
  // No change planned on a read that may be stale: look again when the window ends (a route we deleted
  // and must create again, seen here as still ours, would otherwise wait for the next poll).
  if (d.action === 'none') return d.retryAfterMs !== undefined ? d : { ...d, retryAfterMs: holdMs };
  return {
    action: 'none',
    reason: Reason.OwnWriteUnseen,
    detail: `would ${d.action} (${d.reason}), but EC2 does not show our own write of this route from moments ago yet (eventual consistency); waiting up to ${Math.ceil(holdMs / 1000)} s for it`,
    retryAfterMs: holdMs,
    ...(d.watch !== undefined ? { watch: d.watch } : {}),
  };
}

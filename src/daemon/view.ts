// The read-only view of a running daemon, as the status page and the metrics
// see it: who we are, the last pass, every managed route as it is after our
// own writes (with the last decision and its outcome), the checks, recent
// changes and open problems. The status server depends on this interface,
// not on the Daemon class.
import type { Config } from '../config/model.js';
import type { CurrentRoute, PlannedAction } from '../core/plan.js';
import { describeTarget, findRoute, isOurs, routeTarget } from '../core/targets.js';
import type { Identity } from '../core/types.js';
import type { DrainState } from './drain-store.js';
import type { CheckEntry } from './health-supervisor.js';
import type { PassResult } from './reconciler.js';

export interface RouteChange {
  readonly time: string;
  readonly routeTable: string;
  readonly cidr: string;
  readonly action: string;
  readonly from?: string;
  readonly to?: string;
  readonly reason: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** One managed route after the last pass. */
export interface RouteState {
  /** The last pass's decision for it. */
  readonly action: PlannedAction;
  /** The route as it is after our writes (undefined: missing). */
  readonly current: CurrentRoute | undefined;
  /** It points at the target its spec wants. */
  readonly ours: boolean;
  /** The outcome of the last pass's change of it: `ok`, the failure's code, or null when it changed nothing. */
  readonly outcome: string | null;
}

export interface DaemonView {
  readonly identity: Identity;
  readonly currentConfig: Config;
  readonly lastPass: PassResult | undefined;
  readonly recentChanges: readonly RouteChange[];
  drainState(): DrainState | undefined;
  routeStates(): RouteState[];
  allChecks(): CheckEntry[];
  currentErrors(): { cause: string; count: number }[];
  flappingRoutes(): { routeTable: string; cidr: string; other: string }[];
  /** The instance's own lifecycle signals from metadata, while active. */
  lifecycleSignals(): readonly { readonly kind: string; readonly detail: string; readonly due?: string }[];
}

/** Drain and undrain, for the status socket. */
export interface DrainControl {
  setDrain(drain: { force: boolean } | undefined): void;
}

/** The managed routes after pass `r`, as status and metrics show them. */
export function routeStates(r: PassResult | undefined, identity: Identity): RouteState[] {
  if (r?.plan === undefined) return [];
  const world = r.world;
  return r.plan.actions.map((a) => {
    const o = r.outcomes.find((x) => x.action.routeTableId === a.routeTableId && x.action.cidr === a.cidr);
    const route = world === undefined ? undefined : findRoute(world.tables, a.routeTableId, a.cidr);
    const want = routeTarget(a.route, { identity, ...(world !== undefined ? { instanceInterfaces: world.instanceInterfaces } : {}) });
    return {
      action: a,
      current: route === undefined ? undefined : describeTarget(route),
      ours: isOurs(route, want),
      outcome: o === undefined ? null : o.ok ? 'ok' : (o.error?.code ?? 'failed'),
    };
  });
}

/** The recent-changes records of a pass's outcomes. */
export function changeRecords(r: PassResult, time: string): RouteChange[] {
  return r.outcomes.map((o) => {
    const a = o.action;
    return {
      time,
      routeTable: a.routeTableId,
      cidr: a.cidr,
      action: a.action,
      ...(a.current?.target !== undefined ? { from: a.current.target } : {}),
      ...(a.target !== undefined && a.action !== 'delete' ? { to: a.target } : {}),
      reason: a.reason,
      ok: o.ok,
      ...(o.error !== undefined ? { error: `${o.error.code}: ${o.error.awsCode}` } : {}),
    };
  });
}

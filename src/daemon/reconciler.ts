// The reconciler: one pass = read EC2 -> plan -> confirm -> apply. It owns
// the world view (what the last reads showed, with our own writes folded in)
// and hands every decision to the pure planner (core/plan.ts) and its confirm
// rules (core/confirm.ts). It does not schedule itself (scheduler.ts) and
// runs no checks (it asks a HealthSource).
import type { Config } from '../config/model.js';
import type { PlaceholderValues } from '../config/values.js';
import { confirmStep, mergeConfirmed } from '../core/confirm.js';
import { withWrites } from '../core/own-writes.js';
import { Reason, plan, type Plan, type PlannedAction } from '../core/plan.js';
import { findRoute } from '../core/targets.js';
import type { Identity, RouteTableView } from '../core/types.js';
import { Ec2Error } from '../ec2/errors.js';
import type { Ec2Port } from '../ec2/port.js';
import type { Logger } from '../log/logger.js';
import { applyPlan, type ActionOutcome, type HookCounter } from './apply.js';
import type { Clock } from './clock.js';
import type { DrainStore } from './drain-store.js';
import type { ErrorBook } from './error-book.js';
import type { HealthSource } from './health-supervisor.js';
import { managedCidrs, newReadCache, readWorld, type World } from './read-world.js';
import type { RouteMemory } from './route-memory.js';
import type { PassKind } from './scheduler.js';

export interface PassResult {
  readonly ok: boolean;
  readonly plan?: Plan;
  readonly outcomes: readonly ActionOutcome[];
  /** The world after this pass's own writes (what status and metrics show). */
  readonly world?: World;
  readonly error?: string;
  readonly startedAt: string;
  readonly durationMs: number;
}

export interface ReconcilerDeps {
  readonly config: () => Config;
  readonly identity: Identity;
  readonly values: PlaceholderValues;
  readonly ec2: Ec2Port;
  readonly log: Logger;
  readonly clock: Clock;
  readonly health: HealthSource;
  readonly drain: DrainStore;
  readonly errors: ErrorBook;
  readonly memory: RouteMemory;
  /** Stops rank-delay waits and hooks on shutdown. */
  readonly signal: AbortSignal;
  /** When the daemon started (the clock's ms). */
  readonly startedAt: number;
  readonly onHook?: HookCounter;
  /** Receives each "after" route hook run (nothing waits for them but shutdown). */
  readonly afterHook?: (run: Promise<void>) => void;
}

export class Reconciler {
  private readonly cache = newReadCache();
  /** The world as the last reads showed it, with our writes since folded in; a check change plans on it. */
  private world: World | undefined;
  /** When the last full read happened (the clock's ms); the poll counts from it. */
  lastFullRead = 0;
  /** Passes that failed on an internal error (a bug), not on EC2. */
  internalErrors = 0;
  /** The last plan made (what the watch pass looks at). */
  private lastPlan: Plan | undefined;
  /** Since when (the clock's ms) the plans have seen this instance drained. */
  private drainedSince: number | undefined;

  constructor(private readonly d: ReconcilerDeps) {}

  /**
   * One pass: read, plan, and apply unless `apply` is false (plan / -noop).
   * `kick`: plan on the world view (a check changed; the fast path) instead
   * of reading the whole VPC; every change is then confirmed on a fresh read
   * of just its tables. `watch`: re-read just the watched tables
   * (watchedTables) and plan on the world view with them.
   */
  async pass(apply: boolean, kind: PassKind): Promise<Omit<PassResult, 'startedAt' | 'durationMs'>> {
    let p: Plan;
    let world: World;
    try {
      // On the cached view, only a plan that changes something is worth its speed (the change is confirmed
      // on a fresh read of its tables); a plan of no changes may just be stale, so it is made again on a full read.
      let onCache = kind === 'kick' && this.world !== undefined ? this.planOn(this.world) : undefined;
      if (onCache !== undefined && !onCache.actions.some((a) => a.action !== 'none')) onCache = undefined;
      const watched = kind === 'watch' && this.world !== undefined ? this.watchedTables() : [];
      world = onCache !== undefined ? this.world! : watched.length > 0 ? await this.partialRead(this.world!, watched) : await this.fullRead();
      p = onCache ?? this.planOn(world);
      if (apply) ({ plan: p, world } = await this.confirm(p, world, onCache !== undefined));
    } catch (e) {
      if (!(e instanceof Ec2Error)) {
        // Not an EC2 failure: a bug in the planner or the loop. Logged with its stack and counted, never
        // mistaken for a read failure; the next pass tries again.
        this.internalErrors++;
        const msg = e instanceof Error ? e.message : String(e);
        this.d.errors.report('internal:pass', { err: e }, `internal error in a pass (please report it): ${msg}`);
        return { ok: false, outcomes: [], error: `internal error: ${msg}` };
      }
      this.d.errors.report(`read:${e.code}:${e.awsCode}`, { code: e.code, awsCode: e.awsCode, call: e.action }, `reading EC2 failed (${e.action}); will retry next pass: ${e.message}`);
      return { ok: false, outcomes: [], error: e.message };
    }
    this.d.errors.clear('internal:');
    this.lastPlan = p;
    // Stopping (SIGTERM during the rank delay or the re-read): routes stay as they are; a backup that cut
    // its rank delay short must not write ahead of the others.
    if (apply && this.d.signal.aborted) return { ok: true, plan: p, outcomes: [], world };
    this.d.health.setRemoteTargets(p.remoteTargets);
    for (const prob of p.problems) this.d.errors.report(`plan:${prob.code}:${prob.tableName}`, { code: prob.code, table: prob.tableName }, prob.message);
    if (p.problems.length === 0) this.d.errors.clear('plan:');
    for (const a of p.actions) this.logDecision(a, apply);
    // Stepping aside with nowhere to hand a route: said once (and shown in status errors) until it changes.
    for (const a of p.actions) {
      const key = `handoff:${a.routeTableId}:${a.cidr}`;
      if (a.reason === Reason.HandoffNone) this.d.errors.report(key, { routeTable: a.routeTableId, cidr: a.cidr, reason: a.reason }, a.detail);
      else this.d.errors.clear(key);
    }
    if (!apply) return { ok: p.problems.length === 0, plan: p, outcomes: [], world };
    const outcomes = await applyPlan(p.actions, this.d.ec2, this.d.values, this.d.log, {
      signal: this.d.signal,
      ...(this.d.onHook !== undefined ? { onHook: this.d.onHook } : {}),
      ...(this.d.afterHook !== undefined ? { afterHook: this.d.afterHook } : {}),
    });
    const done = outcomes.filter((o) => o.ok).map((o) => o.action);
    const writes = this.d.memory.wrote(done, world.tables, this.d.clock.now());
    // The world view now shows what we wrote: the next fast path, the status page and the metrics see it.
    this.world = world = { ...world, tables: withWrites(world.tables, writes) };
    for (const o of outcomes) {
      const a = o.action;
      const key = `apply:${a.routeTableId}:${a.cidr}`;
      if (o.error !== undefined)
        this.d.errors.report(
          `${key}:${o.error.code}:${o.error.awsCode}`,
          { routeTable: a.routeTableId, cidr: a.cidr, action: a.action, code: o.error.code, awsCode: o.error.awsCode, reason: a.reason },
          `${a.action} route failed; the next pass retries: ${o.error.message}`,
        );
      else this.d.errors.clear(key);
    }
    return { ok: outcomes.every((o) => o.ok) && p.problems.length === 0, plan: p, outcomes, world };
  }

  /** Reads every table of the VPC (of the region with all_vpcs) and makes it the world view. */
  private async fullRead(): Promise<World> {
    const config = this.d.config();
    const world = await readWorld(this.d.ec2, config, this.d.identity, this.cache, { allVpcs: config.allVpcs });
    this.d.memory.seen(world.tables, world.owners, true, managedCidrs(config), this.d.clock.now());
    this.world = world;
    this.lastFullRead = this.d.clock.now();
    this.d.errors.clear('read:');
    this.d.memory.fullRead((key) => this.ownerIn(world.tables, key));
    return world;
  }

  private planOn(world: World): Plan {
    const h = this.d.health.views();
    const drain = this.d.drain.state();
    if (drain === undefined) this.drainedSince = undefined;
    else this.drainedSince ??= this.d.clock.now();
    return plan(this.d.config(), {
      identity: this.d.identity,
      ...world,
      checks: h.checks,
      remoteChecks: h.remote,
      healthySince: h.healthySince,
      now: this.d.clock.now(),
      startedAt: this.d.startedAt,
      ...this.d.memory.facts(),
      ...(drain !== undefined ? { drain: { force: drain.force, why: drain.why, since: this.drainedSince! } } : {}),
    });
  }

  /**
   * Before risky changes (core/confirm.ts): wait the rank delay, re-read just
   * their tables, plan again, and apply what the second plan says. A backup
   * that finds the route already taken by a live backup stands down.
   */
  private async confirm(p: Plan, world: World, plannedOnCache: boolean): Promise<{ plan: Plan; world: World }> {
    const step = confirmStep(p, this.d.identity.instanceId, plannedOnCache);
    if (step.risky.length === 0) return { plan: p, world };
    if (step.delayMs > 0) await this.d.clock.sleep(step.delayMs, this.d.signal);
    if (this.d.signal.aborted) return { plan: p, world };
    // A hand-off is re-planned on a fresh list of peers: the full read's may be poll_time old (a peer stopped since).
    const confirmed = await this.partialRead(world, step.routeTableIds, step.risky.some((a) => a.reason === Reason.Handoff));
    const { plan: merged, dropped } = mergeConfirmed(p, this.planOn(confirmed), step.risky);
    for (const { first: a, now } of dropped)
      this.d.log.info(
        { routeTable: a.routeTableId, cidr: a.cidr, planned: a.action, reason: now?.reason },
        `re-read before ${a.action}: no longer needed (${now?.detail ?? 'route gone from the plan'})`,
      );
    return { plan: merged, world: confirmed };
  }

  /**
   * Re-reads just `routeTableIds` and makes `base` with them the world view.
   * The re-read asked only about the owners of its tables: the others' facts
   * stay those of the full read, and so do the peers unless `peers` (the
   * re-read before a hand-off) asks for them again.
   */
  private async partialRead(base: World, routeTableIds: readonly string[], peers = false): Promise<World> {
    const config = this.d.config();
    const fresh = await readWorld(this.d.ec2, config, this.d.identity, this.cache, { allVpcs: config.allVpcs, routeTableIds, peers });
    this.d.memory.seen(fresh.tables, fresh.owners, false, managedCidrs(config), this.d.clock.now());
    const tables = base.tables.map((t) => fresh.tables.find((f) => f.id === t.id) ?? t);
    const world: World = { ...base, ...fresh, owners: { ...base.owners, ...fresh.owners }, tables };
    this.world = world;
    return world;
  }

  /**
   * The tables a watch pass re-reads: those where a managed route points at
   * another instance or a gateway (a hand-off may move it to us, or to a new
   * owner our remote check must follow), and those where we hold a route as
   * a backup (`if_unhealthy`: its primary takes it back after its hold-down,
   * and we must then watch the primary, not believe we still carry it).
   */
  watchedTables(): string[] {
    const me = this.d.identity;
    const ids = new Set<string>();
    for (const a of this.lastPlan?.actions ?? []) {
      const elsewhere = a.current !== undefined && a.current.target !== me.networkInterfaceId && a.current.ownerInstanceId !== me.instanceId;
      if (elsewhere || (a.current !== undefined && a.route.ifUnhealthy)) ids.add(a.routeTableId);
    }
    return [...ids].sort();
  }

  /** The instance (or, failing that, the target) a route points at in `tables`. */
  private ownerIn(tables: readonly RouteTableView[], key: string): string | undefined {
    const [rtb = '', cidr = ''] = key.split(' ');
    const r = findRoute(tables, rtb, cidr);
    if (r === undefined) return undefined;
    const t = r.target;
    if (t.kind === 'interface') return t.instanceId ?? this.cache.interfaces.get(t.networkInterfaceId)?.instanceId ?? t.networkInterfaceId;
    return t.kind === 'instance' ? t.instanceId : t.id;
  }

  private logDecision(a: PlannedAction, apply: boolean): void {
    const fields = { routeTable: a.routeTableId, cidr: a.cidr, action: a.action, reason: a.reason, current: a.current?.target, state: a.current?.state };
    if (a.action === 'none') this.d.log.debug(fields, `no change: ${a.detail}`);
    else if (!apply) this.d.log.info({ ...fields, target: a.target }, `would ${a.action} route: ${a.detail}`);
    else this.d.log.debug({ ...fields, target: a.target }, `will ${a.action} route: ${a.detail}`);
  }
}

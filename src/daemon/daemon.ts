// The level-triggered loop. A pass = read EC2, plan, apply (or, with -noop,
// log what would be done). Passes run every poll_time (±10 % jitter, counted
// from the last full read) and as soon as any check changes, coalesced: a
// change only brings the next pass forward, it carries no delta. Before a
// change is applied it is confirmed on a fresh read (see confirm()). One
// lifecycle: run(signal) until it fires.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckSpec, Config } from '../config/model.js';
import type { PlaceholderValues } from '../config/values.js';
import { substitute } from '../config/values.js';
import { Reason, describeTarget, placeholderValues, plan, routeKey, routeTarget } from '../core/plan.js';
import type { Plan, PlannedAction } from '../core/plan.js';
import { unseenOwnWrites, type OwnWrite } from '../core/own-writes.js';
import { GONE, type CheckView, type Identity, type RouteTableView, type RouteView } from '../core/types.js';
import { Ec2Error } from '../ec2/errors.js';
import type { Ec2Port } from '../ec2/port.js';
import { HealthCheck, RemotePool } from '../health/index.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../status/metrics.js';
import { applyPlan } from './apply.js';
import { runOutcome } from '../hooks/run-argv.js';
import type { ActionOutcome } from './apply.js';
import { managedCidrs, newReadCache, readWorld } from './read-world.js';
import type { ReadCache, World } from './read-world.js';
import { FlapDetector } from './flap.js';
import { timerDelay } from '../timers.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly identity: Identity;
  readonly ec2: Ec2Port;
  readonly log: Logger;
  /** Plan and log, never call a mutating API. */
  readonly noop: boolean;
  /** Multiplies poll_time jitter; tests set 0. Default 0.1 (±10 %). */
  readonly pollJitter?: number;
  /** Prometheus metrics to keep up to date. */
  readonly metrics?: Metrics;
}

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

export interface PassResult {
  readonly ok: boolean;
  readonly plan?: Plan;
  readonly outcomes: readonly ActionOutcome[];
  readonly error?: string;
  readonly startedAt: string;
  readonly durationMs: number;
}

const specKey = (s: CheckSpec): string => JSON.stringify(s);

/**
 * How long a backup waits before re-reading and taking a route over: 0-200 ms
 * by `priority` (100 waits 0, 0 waits 200), plus 0-199 ms from a stable hash
 * of (instance, table, CIDR), so every instance ranks the same way without
 * talking to the others.
 */
export function rankDelayMs(priority: number, instanceId: string, routeTableId: string, cidr: string): number {
  const h = createHash('sha256').update(`${instanceId} ${routeTableId} ${cidr}`).digest();
  return (100 - priority) * 2 + (h.readUInt16BE(0) % 200);
}

/** After `failures` failed passes in a row: 1 s, 2 s, 4 s ... capped at poll_time and 30 s, each between 50 % and 100 % of that. */
export function retryDelayMs(failures: number, pollMs: number): number {
  const cap = Math.min(pollMs, 30_000, 1000 * 2 ** Math.min(failures - 1, 15));
  return cap * (0.5 + Math.random() * 0.5);
}

export class Daemon {
  private config: Config;
  private readonly checks = new Map<string, HealthCheck>();
  private readonly pools = new Map<string, RemotePool>();
  private readonly cache: ReadCache = newReadCache();
  private readonly life = new AbortController();
  private wake: (() => void) | undefined;
  private kicked = false;
  private lastErrors = new Map<string, number>();
  private readonly startedAt = performance.now();
  /** By check name: since when it has been healthy (monotonic ms). */
  private readonly healthySince = new Map<string, number>();
  /** By route key: when this daemon last made the route point at us. */
  private readonly lastChange = new Map<string, number>();
  /** Routes we keep taking back from another live primary. */
  private readonly flaps: FlapDetector;
  /** Our route writes of the last seconds, until reads show them (eventual consistency). */
  private ownWrites: OwnWrite[] = [];
  /** By route key: until when (monotonic ms) to hold changes of routes whose write the last read did not show. */
  private unseenWrites: Record<string, number> = {};
  /**
   * By route key: the managed route's target as we last knew it ('' when missing), since when (at the
   * latest) it has pointed there, and when a read or our own write last showed it.
   */
  private readonly owners = new Map<string, { target: string; since: number; seenAt: number }>();
  /** By instance id: since when EC2 has said that this owner does not exist. */
  private goneSince = new Map<string, number>();
  /** What the last full read saw; a check change plans on it (then confirms on a fresh read). */
  private lastWorld: World | undefined;
  /** When the last full read happened; the poll counts from it, whatever passes ran since. */
  private lastFullRead = 0;
  /** Metric label sets written by the last update, to remove those of routes and checks that are gone. */
  private readonly routeSeries = new Map<string, { route_table: string; cidr: string }>();
  private checkSeries = new Map<string, { check: string; destination: string; remote: string }>();
  /** "After" route hooks still running (nothing waits for them but shutdown). */
  private readonly afterHooks = new Set<Promise<void>>();
  /** Passes that failed on an internal error (a bug), not on EC2. */
  internalErrors = 0;
  /** The last changes this daemon made (or tried), newest last. */
  readonly recentChanges: RouteChange[] = [];
  lastPass: PassResult | undefined;

  constructor(private readonly opts: DaemonOptions) {
    this.config = opts.config;
    this.flaps = new FlapDetector(opts.log, opts.identity.instanceId);
  }

  private get log(): Logger {
    return this.opts.log;
  }

  get values(): PlaceholderValues {
    return placeholderValues(this.opts.identity);
  }

  /** Starts (or, after a reload, re-syncs) the local checks and remote pools of the current config. */
  private syncChecks(): void {
    const wanted = this.config.healthchecks;
    for (const [name, c] of this.checks) {
      const spec = wanted[name];
      if (spec === undefined || specKey(spec) !== specKey(c.spec)) {
        c.stop();
        this.checks.delete(name);
        this.healthySince.delete(name);
      }
    }
    // plan and -noop promise to change nothing: no hook of any kind runs (route hooks never run there either).
    const hookOpts = this.opts.noop ? (false as const) : { substitute: (a: string) => substitute(a, this.values) };
    for (const [name, spec] of Object.entries(wanted)) {
      if (this.checks.has(name)) continue;
      // The check puts its own name (and destination) on each of its log lines.
      const check = new HealthCheck(spec, { logger: this.log, hooks: hookOpts });
      // The check logs its own transitions; a change only brings the next pass forward.
      check.on('hook', (e) => this.countHook(e.hook, runOutcome(e.result)));
      check.on('result', (e) => this.opts.metrics?.probeSeconds.observe({ check: name, result: e.result.ok ? 'pass' : 'fail' }, e.result.latencyMs / 1000));
      check.on('change', (e) => {
        if (e.healthy) {
          if (!this.healthySince.has(name)) this.healthySince.set(name, performance.now());
        } else this.healthySince.delete(name);
        this.kick();
      });
      this.checks.set(name, check.start(this.life.signal));
    }
    const templates = this.config.remoteHealthchecks;
    for (const [name, pool] of this.pools) {
      const spec = templates[name];
      if (spec === undefined || specKey(spec) !== specKey(pool.template)) {
        pool.stop();
        this.pools.delete(name);
      }
    }
    for (const [name, spec] of Object.entries(templates)) {
      if (this.pools.has(name)) continue;
      const pool = new RemotePool(spec, { ownIps: this.opts.identity.ownIps, logger: this.log.child({ remoteCheck: name }), signal: this.life.signal, hooks: hookOpts });
      pool.on('change', () => this.kick());
      pool.on('hook', (e) => this.countHook(e.hook, runOutcome(e.result)));
      this.pools.set(name, pool);
    }
  }

  private readonly countHook = (hook: string, outcome: string): void => {
    this.opts.metrics?.hookRuns.inc({ hook, outcome });
  };

  /** Brings the next pass forward (coalesced). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  private checkViews(): { checks: Record<string, CheckView>; remote: Record<string, Record<string, CheckView>> } {
    const checks: Record<string, CheckView> = {};
    for (const [name, c] of this.checks) checks[name] = { healthy: c.healthy, decided: c.decided };
    const remote: Record<string, Record<string, CheckView>> = {};
    for (const [name, pool] of this.pools) {
      remote[name] = {};
      for (const ip of pool.destinations()) {
        const c = pool.get(ip);
        if (c !== undefined)
          remote[name][ip] = { healthy: c.healthy, decided: c.decided, failingRun: [...c.failingRun], fall: c.spec.fall, everyMs: c.spec.every * 1000 };
      }
    }
    return { checks, remote };
  }

  /** Logs a failure the first time it is seen; repeats are counted, not logged, until it clears. */
  private reportOnce(key: string, fields: object, msg: string): void {
    const n = this.lastErrors.get(key) ?? 0;
    this.lastErrors.set(key, n + 1);
    if (n === 0) this.log.error(fields, msg);
  }

  private clearErrors(prefix: string): void {
    for (const [k, n] of this.lastErrors) {
      if (!k.startsWith(prefix)) continue;
      this.log.info({ cause: k, times: n }, `recovered: ${k}`);
      this.lastErrors.delete(k);
    }
  }

  /**
   * One pass: read, plan, and apply unless `apply` is false (plan / -noop).
   * `fromCache`: plan on the tables the last pass read (a check changed; the
   * fast path) instead of reading the whole VPC; every change is then
   * confirmed on a fresh read of just its tables.
   */
  async pass(apply = !this.opts.noop, fromCache = false): Promise<PassResult> {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const done = (r: Omit<PassResult, 'startedAt' | 'durationMs'>): PassResult => {
      this.lastPass = { ...r, startedAt, durationMs: Math.round(performance.now() - t0) };
      this.updateMetrics(this.lastPass);
      return this.lastPass;
    };
    let p: Plan;
    let planWorld: World;
    try {
      let cached = fromCache ? this.lastWorld : undefined;
      // On the cached tables, only a plan that changes something is worth its
      // speed (the change is confirmed on a fresh read of its tables); a plan
      // of no changes may just be stale, so it is made again on a full read.
      let onCache = cached !== undefined ? this.planOn(cached) : undefined;
      if (onCache !== undefined && !onCache.actions.some((a) => a.action !== 'none')) cached = onCache = undefined;
      let world = cached;
      if (world === undefined) {
        world = this.seen(await readWorld(this.opts.ec2, this.config, this.opts.identity, this.cache, { allVpcs: this.config.allVpcs }), true);
        this.lastWorld = world;
        this.lastFullRead = performance.now();
        this.clearErrors('read:');
        const tables = world.tables;
        this.flaps.update((key) => this.ownerIn(tables, key));
      }
      p = onCache ?? this.planOn(world);
      planWorld = world;
      if (apply) ({ plan: p, world: planWorld } = await this.confirm(p, world, cached !== undefined));
    } catch (e) {
      if (!(e instanceof Ec2Error)) {
        // Not an EC2 failure: a bug in the planner or the loop. Logged with its stack and counted, never
        // mistaken for a read failure; the next pass tries again.
        this.internalErrors++;
        this.reportOnce('internal:pass', { err: e }, `internal error in a pass (please report it): ${e instanceof Error ? e.message : String(e)}`);
        return done({ ok: false, outcomes: [], error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
      this.reportOnce(`read:${e.code}:${e.awsCode}`, { code: e.code, awsCode: e.awsCode, call: e.action }, `reading EC2 failed (${e.action}); will retry next pass: ${e.message}`);
      return done({ ok: false, outcomes: [], error: e.message });
    }
    this.clearErrors('internal:');
    for (const [name, pool] of this.pools) pool.setDestinations(p.remoteTargets[name] ?? []);
    for (const prob of p.problems) this.reportOnce(`plan:${prob.code}:${prob.tableName}`, { code: prob.code, table: prob.tableName }, prob.message);
    if (p.problems.length === 0) this.clearErrors('plan:');
    for (const a of p.actions) this.logDecision(a, apply);
    if (!apply) return done({ ok: p.problems.length === 0, plan: p, outcomes: [] });
    const outcomes = await applyPlan(p.actions, this.opts.ec2, this.values, this.log, {
      signal: this.life.signal,
      onHook: this.countHook,
      afterHook: (run) => {
        this.afterHooks.add(run);
        void run.finally(() => this.afterHooks.delete(run));
      },
    });
    this.rememberWrites(outcomes, planWorld.tables);
    for (const o of outcomes) {
      const a = o.action;
      this.recentChanges.push({
        time: new Date().toISOString(),
        routeTable: a.routeTableId,
        cidr: a.cidr,
        action: a.action,
        ...(a.current?.target !== undefined ? { from: a.current.target } : {}),
        ...(a.target !== undefined && a.action !== 'delete' ? { to: a.target } : {}),
        reason: a.reason,
        ok: o.ok,
        ...(o.error !== undefined ? { error: `${o.error.code}: ${o.error.awsCode}` } : {}),
      });
      if (this.recentChanges.length > 50) this.recentChanges.shift();
      this.opts.metrics?.routeChanges.inc({ action: a.action, reason: a.reason, outcome: o.ok ? 'ok' : (o.error?.code ?? 'error') });
      if (o.ok && a.action !== 'delete') this.recordChange(a);
      const key = `apply:${a.routeTableId}:${a.cidr}`;
      if (o.error !== undefined)
        this.reportOnce(`${key}:${o.error.code}:${o.error.awsCode}`, { routeTable: a.routeTableId, cidr: a.cidr, action: a.action, code: o.error.code, awsCode: o.error.awsCode, reason: a.reason }, `${a.action} route failed; the next pass retries: ${o.error.message}`);
      else this.clearErrors(key);
    }
    const ok = outcomes.every((o) => o.ok) && p.problems.length === 0;
    return done({ ok, plan: p, outcomes });
  }

  private planOn(world: World): Plan {
    const { checks, remote } = this.checkViews();
    return plan(this.config, {
      identity: this.opts.identity,
      ...world,
      checks,
      remoteChecks: remote,
      now: performance.now(),
      startedAt: this.startedAt,
      lastChange: Object.fromEntries(this.lastChange),
      goneSince: Object.fromEntries(this.goneSince),
      ownerSince: Object.fromEntries([...this.owners].map(([k, o]) => [k, o.since])),
      unseenWrites: this.unseenWrites,
      healthySince: Object.fromEntries(this.healthySince),
      flapping: this.flaps.snapshot(),
      ...(this.drainState() !== undefined ? { drain: this.drainState()! } : {}),
    });
  }

  /** Drained when the state file (written by `awsnycast drain`) or the maintenance file exists. */
  drainState(): { force: boolean; source: string } | undefined {
    const file = this.config.drainStateFile;
    try {
      const text = readFileSync(file, 'utf8');
      this.clearErrors('drain:');
      return { force: text.trim() === 'force', source: file };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A state file that exists but cannot be read (permissions, I/O): stay drained rather than
      // silently return to service, and say so.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        this.reportOnce(`drain:${code ?? 'error'}`, { stateFile: file, code }, `cannot read the drain state file; staying drained until it can be read: ${(e as Error).message}`);
        return { force: false, source: file };
      }
    }
    return existsSync(this.config.maintenanceFile) ? { force: false, source: this.config.maintenanceFile } : undefined;
  }

  /** `awsnycast drain` / `undrain`: remembered in the state file across restarts. */
  setDrain(drain: { force: boolean } | undefined): void {
    const file = this.config.drainStateFile;
    if (drain === undefined) rmSync(file, { force: true });
    else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, drain.force ? 'force\n' : 'drained\n', { mode: 0o600 });
    }
    this.log.warn({ drained: drain !== undefined, force: drain?.force ?? false, stateFile: file }, drain === undefined ? 'undrained' : 'drained: behaving as if every check failed');
    this.kick();
  }

  /**
   * EC2 has no compare-and-swap on routes. Before taking a route over or
   * deleting one, wait the route's rank delay (backups only: a higher
   * `priority`, then a stable hash of our instance id, acts first), re-read
   * just the affected tables, re-plan, and keep only the changes that still
   * hold: a backup that finds the route already taken by a live backup stands
   * down without writing.
   */
  private async confirm(p: Plan, world: World, planRanOnCache: boolean): Promise<{ plan: Plan; world: World }> {
    const risky = p.actions.filter(
      (a) => a.action === 'replace' || a.action === 'delete' || (a.action === 'create' && (a.route.ifUnhealthy || planRanOnCache)),
    );
    if (risky.length === 0) return { plan: p, world };
    const backups = risky.filter((a) => a.route.ifUnhealthy);
    const delay = backups.length === 0 ? 0 : Math.min(...backups.map((a) => rankDelayMs(a.route.priority, this.opts.identity.instanceId, a.routeTableId, a.cidr)));
    if (delay > 0) await new Promise((r) => setTimeout(r, timerDelay(delay)));
    const ids = [...new Set(risky.map((a) => a.routeTableId))];
    const fresh = this.seen(await readWorld(this.opts.ec2, this.config, this.opts.identity, this.cache, { allVpcs: this.config.allVpcs, routeTableIds: ids }), false);
    const tables = world.tables.map((t) => fresh.tables.find((f) => f.id === t.id) ?? t);
    const confirmed: World = { ...world, ...fresh, tables };
    const again = this.planOn(confirmed);
    const isRisky = new Set(risky);
    const actions = p.actions.map((a) => {
      if (a.action === 'none') return a;
      const now = again.actions.find((b) => b.routeTableId === a.routeTableId && b.cidr === a.cidr);
      // The change still holds: apply it as re-planned on the fresh read (its current owner, reason and
      // detail are the ones hooks, logs, recent changes and flap detection must see).
      if (now?.action === a.action) return isRisky.has(a) ? now : a;
      this.log.info({ routeTable: a.routeTableId, cidr: a.cidr, planned: a.action, reason: now?.reason }, `re-read before ${a.action}: no longer needed (${now?.detail ?? 'route gone from the plan'})`);
      return now ?? { ...a, action: 'none' as const };
    });
    return { plan: { ...p, actions }, world: confirmed };
  }

  /**
   * Notes, for a fresh read, which of our own recent writes EC2 does not show
   * yet (eventual consistency, see core/own-writes.ts), and the owners EC2
   * says do not exist noted with the time it first said so. `full`: a read of
   * every table (owners no longer asked about are forgotten).
   */
  private seen(w: World, full: boolean): World {
    const now = performance.now();
    const o = unseenOwnWrites(w.tables, this.ownWrites, now);
    this.ownWrites = [...o.pending];
    this.unseenWrites = { ...(full ? {} : this.unseenWrites), ...o.unseen };
    this.noteOwners(w.tables, now, new Set(Object.keys(o.unseen)));
    const gone = new Map<string, number>();
    for (const [id, f] of Object.entries(w.owners)) if (f.state === GONE) gone.set(id, this.goneSince.get(id) ?? now);
    if (!full) for (const [id, since] of this.goneSince) if (w.owners[id] === undefined) gone.set(id, since);
    this.goneSince = gone;
    return w;
  }

  /**
   * Since when each managed route has pointed where it points: a change seen
   * in a read (or made by our own write, rememberWrites) starts a new owner
   * period. Routes whose own write the read does not show yet keep theirs.
   */
  private noteOwners(tables: readonly RouteTableView[], now: number, unseen: ReadonlySet<string>): void {
    const managed = managedCidrs(this.config);
    for (const t of tables)
      for (const cidr of managed) {
        const key = routeKey(t.id, cidr);
        if (unseen.has(key)) continue;
        const r = t.routes.find((x) => x.destination === cidr);
        const target = r === undefined ? '' : describeTarget(r).target;
        const known = this.owners.get(key);
        // A change is dated to the last moment we still knew the previous target: the new owner took the
        // route after that (dating it to this read would discard real failures seen in between).
        if (known === undefined) this.owners.set(key, { target, since: now, seenAt: now });
        else this.owners.set(key, { target, since: known.target === target ? known.since : known.seenAt, seenAt: now });
      }
  }

  /** Remembers each route write that succeeded, with the route as the plan saw it before. */
  private rememberWrites(outcomes: readonly ActionOutcome[], before: readonly RouteTableView[]): void {
    const now = performance.now();
    for (const o of outcomes) {
      if (!o.ok) continue;
      const a = o.action;
      const prev = before.find((t) => t.id === a.routeTableId)?.routes.find((r) => r.destination === a.cidr);
      const after: RouteView | undefined =
        a.action === 'delete' || a.target === undefined ? undefined : { destination: a.cidr, target: { kind: 'interface', networkInterfaceId: a.target }, state: 'active' };
      this.owners.set(routeKey(a.routeTableId, a.cidr), { target: after === undefined ? '' : describeTarget(after).target, since: now, seenAt: now });
      this.ownWrites = [
        ...this.ownWrites.filter((w) => w.routeTableId !== a.routeTableId || w.cidr !== a.cidr),
        { routeTableId: a.routeTableId, cidr: a.cidr, before: prev, after, at: now },
      ];
    }
  }

  private recordChange(a: PlannedAction): void {
    const key = routeKey(a.routeTableId, a.cidr);
    const now = performance.now();
    this.lastChange.set(key, now);
    if (a.reason !== Reason.Preempt || a.current === undefined) return;
    this.flaps.tookBack(key, a.current.ownerInstanceId ?? a.current.target, now);
  }

  /** The instance (or, failing that, the target) a route points at in `tables`. */
  private ownerIn(tables: readonly RouteTableView[], key: string): string | undefined {
    const [rtb, cidr] = key.split(' ');
    const r = tables.find((t) => t.id === rtb)?.routes.find((x) => x.destination === cidr);
    if (r === undefined) return undefined;
    const t = r.target;
    if (t.kind === 'interface') return t.instanceId ?? this.cache.interfaces.get(t.networkInterfaceId)?.instanceId ?? t.networkInterfaceId;
    return t.kind === 'instance' ? t.instanceId : t.id;
  }

  private updateMetrics(r: PassResult): void {
    const m = this.opts.metrics;
    if (m === undefined) return;
    m.passes.inc({ outcome: r.ok ? 'ok' : 'failed' });
    m.passSeconds.observe(r.durationMs / 1000);
    m.drained.set(this.drainState() !== undefined ? 1 : 0);
    const done = new Map(r.outcomes.map((o) => [routeKey(o.action.routeTableId, o.action.cidr), o]));
    // Series of routes and checks that are gone are removed, so that an alert on them does not fire forever.
    if (r.plan !== undefined) {
      const now = new Set(r.plan.actions.map((a) => routeKey(a.routeTableId, a.cidr)));
      for (const [key, labels] of this.routeSeries)
        if (!now.has(key)) {
          m.routeOwned.remove(labels);
          m.holdDown.remove(labels);
          m.flapping.remove(labels);
          this.routeSeries.delete(key);
        }
    }
    for (const a of r.plan?.actions ?? []) {
      this.routeSeries.set(routeKey(a.routeTableId, a.cidr), { route_table: a.routeTableId, cidr: a.cidr });
      const o = done.get(routeKey(a.routeTableId, a.cidr));
      const ours = o?.ok === true ? a.action !== 'delete' : a.current?.target === routeTarget(a.route, { identity: this.opts.identity, ...(this.lastWorld !== undefined ? { instanceInterfaces: this.lastWorld.instanceInterfaces } : {}) }).networkInterfaceId;
      const labels = { route_table: a.routeTableId, cidr: a.cidr };
      m.routeOwned.set(labels, ours ? 1 : 0);
      m.holdDown.set(labels, a.reason === Reason.HoldDown ? 1 : 0);
      m.flapping.set(labels, a.reason === Reason.Flapping ? 1 : 0);
    }
    const checks = new Map<string, { check: string; destination: string; remote: string }>();
    for (const c of this.allChecks()) {
      const labels = { check: c.check.name, destination: c.check.destination, remote: String(c.remote) };
      checks.set(JSON.stringify(labels), labels);
      m.checkHealthy.set(labels, c.check.healthy ? 1 : 0);
      m.checkDecided.set(labels, c.check.decided ? 1 : 0);
    }
    for (const [key, labels] of this.checkSeries)
      if (!checks.has(key)) {
        m.checkHealthy.remove(labels);
        m.checkDecided.remove(labels);
      }
    this.checkSeries = checks;
  }

  /** Every running check, local and remote. */
  allChecks(): { check: HealthCheck; remote: boolean; template?: string }[] {
    const out: { check: HealthCheck; remote: boolean; template?: string }[] = [...this.checks.values()].map((check) => ({ check, remote: false }));
    for (const [name, pool] of this.pools)
      for (const ip of pool.destinations()) {
        const check = pool.get(ip);
        if (check !== undefined) out.push({ check, remote: true, template: name });
      }
    return out;
  }

  /** Current problems: repeated failures and flapping routes. */
  currentErrors(): { cause: string; count: number }[] {
    return [...this.lastErrors].map(([cause, count]) => ({ cause, count }));
  }

  flappingRoutes(): { routeTable: string; cidr: string; other: string }[] {
    return this.flaps.routes();
  }

  get identity(): Identity {
    return this.opts.identity;
  }

  get currentConfig(): Config {
    return this.config;
  }

  private logDecision(a: PlannedAction, apply: boolean): void {
    const fields = { routeTable: a.routeTableId, cidr: a.cidr, action: a.action, reason: a.reason, current: a.current?.target, state: a.current?.state };
    if (a.action === 'none') this.log.debug(fields, `no change: ${a.detail}`);
    else if (!apply) this.log.info({ ...fields, target: a.target }, `would ${a.action} route: ${a.detail}`);
    else this.log.debug({ ...fields, target: a.target }, `will ${a.action} route: ${a.detail}`);
  }

  /** Resolves when every local check that gates a route has decided, or after `maxMs`. */
  async waitForChecks(maxMs: number): Promise<boolean> {
    const used = new Set(this.config.routeTables.flatMap((t) => t.routes.flatMap((r) => r.healthchecks)));
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline && !this.life.signal.aborted) {
      if ([...used].every((n) => this.checks.get(n)?.decided === true)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return [...used].every((n) => this.checks.get(n)?.decided === true);
  }

  /** The longest time any check can take to decide: max(rise, fall) runs plus a timeout, plus slack. */
  decideBoundMs(): number {
    const all = Object.values(this.config.healthchecks);
    return Math.max(2000, ...all.map((c) => (Math.max(c.rise, c.fall) + 1) * c.every * 1000 + c.timeout * 1000 + 1000));
  }

  startChecks(signal: AbortSignal): void {
    signal.addEventListener('abort', () => this.life.abort(), { once: true });
    this.syncChecks();
  }

  /** Runs passes until `signal` fires. */
  async run(signal: AbortSignal): Promise<void> {
    this.startChecks(signal);
    const jitter = this.opts.pollJitter ?? 0.1;
    this.life.signal.addEventListener('abort', () => this.wake?.(), { once: true });
    let failures = 0;
    let fromKick = false;
    while (!this.life.signal.aborted) {
      this.kicked = false;
      const r = await this.pass(!this.opts.noop, fromKick);
      if (this.life.signal.aborted) break;
      // A pass that could not read or write is retried sooner than poll_time,
      // with a growing, jittered delay, so the daemon converges soon after EC2
      // recovers without bursting while it is still failing.
      const failed = r.error !== undefined || r.outcomes.some((o) => !o.ok);
      failures = failed ? failures + 1 : 0;
      if (this.kicked) {
        fromKick = !failed;
        continue;
      }
      const pollMs = this.config.pollTime * 1000;
      // The poll counts from the last full read: passes on cached tables do not postpone it.
      let ms = failed
        ? retryDelayMs(failures, pollMs)
        : Math.max(0, this.lastFullRead + pollMs * (1 + (Math.random() * 2 - 1) * jitter) - performance.now());
      // A hold-down that ends before the next poll gets a pass of its own.
      for (const a of r.plan?.actions ?? []) if (a.retryAfterMs !== undefined) ms = Math.min(ms, a.retryAfterMs + 50);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timerDelay(ms));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
      // Woken by a check change (not the poll timer, not a hold-down): the fast path.
      fromKick = this.kicked && !failed;
    }
  }

  /** Swaps in a new config (SIGHUP). Checks whose spec did not change keep their state. */
  reload(config: Config): void {
    this.config = config;
    this.flaps.clear();
    this.syncChecks();
    this.kick();
  }

  /** Resolves when every "after" route hook started so far has ended. */
  async hooksSettled(): Promise<void> {
    await Promise.all([...this.afterHooks]);
  }

  async stop(): Promise<void> {
    this.life.abort();
    await this.hooksSettled();
    for (const c of this.checks.values()) c.stop();
    for (const p of this.pools.values()) p.stop();
    await Promise.all([...this.checks.values()].map((c) => c.settled()));
    await Promise.all([...this.pools.values()].map((p) => p.settled()));
  }
}

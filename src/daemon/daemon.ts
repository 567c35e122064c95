// The daemon: wires its parts together and is the face `run`, `plan` and the
// status server use. The parts, one job each:
//   health-supervisor.ts  local checks and remote pools -> plain verdicts
//   reconciler.ts         one pass: read -> plan -> confirm -> apply
//   scheduler.ts          when passes run: poll, kicks, retries, hold-downs
//   route-memory.ts       what reads and our writes taught us between reads
//   drain-store.ts        drain / maintenance state
//   metrics-view.ts, view.ts  what status and metrics show
// Every decision is made by the pure planner in src/core.
import type { Config } from '../config/model.js';
import type { PlaceholderValues } from '../config/values.js';
import { placeholderValues } from '../core/targets.js';
import type { Identity } from '../core/types.js';
import type { Ec2Port } from '../ec2/port.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../status/metrics.js';
import { substitute } from '../config/values.js';
import { realClock, type Clock } from './clock.js';
import { DrainStore, type DrainState } from './drain-store.js';
import { ErrorBook } from './error-book.js';
import { HealthSupervisor, decideBoundMs, type CheckEntry, type HealthSource } from './health-supervisor.js';
import { MetricsView } from './metrics-view.js';
import { Reconciler, type PassResult } from './reconciler.js';
import { RouteMemory } from './route-memory.js';
import { Reason } from '../core/reasons.js';
import { Scheduler, passFailed, safeBeat, type LoopBeat, type PassKind } from './scheduler.js';
import { changeRecords, routeStates, type DaemonView, type DrainControl, type RouteChange, type RouteState } from './view.js';

export type { PassResult } from './reconciler.js';
export type { RouteChange } from './view.js';

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
  /** Tests: a fake clock. */
  readonly clock?: Clock;
  /** Tests: checks given as plain verdicts instead of running probes. */
  readonly health?: HealthSource;
  /** Receives the loop's beats, and a `step` beat each time one of its EC2 calls ends (the systemd watchdog). */
  readonly onBeat?: (beat: LoopBeat) => void;
}

/** `ec2` reporting each call's end (ok or failed) to `step`. */
function stepping(ec2: Ec2Port, step: () => void): Ec2Port {
  const after = <T>(p: Promise<T>): Promise<T> => p.finally(step);
  return {
    describeRouteTables: (q) => after(ec2.describeRouteTables(q)),
    describeInstanceStatus: (ids) => after(ec2.describeInstanceStatus(ids)),
    describeNetworkInterfaces: (q) => after(ec2.describeNetworkInterfaces(q)),
    findInstances: (q) => after(ec2.findInstances(q)),
    describeNatGateways: (ids) => after(ec2.describeNatGateways(ids)),
    createRoute: (rtb, cidr, eni) => after(ec2.createRoute(rtb, cidr, eni)),
    replaceRoute: (rtb, cidr, eni) => after(ec2.replaceRoute(rtb, cidr, eni)),
    deleteRoute: (rtb, cidr) => after(ec2.deleteRoute(rtb, cidr)),
  };
}

/** How many recent changes the status page keeps. */
const RECENT_CHANGES = 50;

/** One of the instance's own lifecycle signals from metadata (src/imds/lifecycle.ts), as status shows it. */
export interface LifecycleView {
  readonly kind: string;
  readonly detail: string;
  readonly due?: string;
}

export class Daemon implements DaemonView, DrainControl {
  private config: Config;
  private readonly clock: Clock;
  private readonly life = new AbortController();
  private readonly errors: ErrorBook;
  private readonly drain: DrainStore;
  private readonly memory: RouteMemory;
  private readonly supervisor: HealthSupervisor | undefined;
  private readonly health: HealthSource;
  private readonly reconciler: Reconciler;
  private readonly scheduler: Scheduler;
  private readonly metricsView: MetricsView | undefined;
  /** "After" route hooks still running (nothing waits for them but shutdown). */
  private readonly afterHooks = new Set<Promise<void>>();
  /** The last changes this daemon made (or tried), newest last. */
  readonly recentChanges: RouteChange[] = [];
  lastPass: PassResult | undefined;
  private lifecycle: readonly LifecycleView[] = [];
  /** Passes started so far, and who waits for the end of a pass started after a given one. */
  private passesStarted = 0;
  private passWaiters: { after: number; done: (r: PassResult) => void }[] = [];

  constructor(private readonly opts: DaemonOptions) {
    this.config = opts.config;
    this.clock = opts.clock ?? realClock;
    this.errors = new ErrorBook(opts.log);
    this.drain = new DrainStore(() => ({ drainStateFile: this.config.drainStateFile, maintenanceFile: this.config.maintenanceFile }), this.errors, opts.log);
    this.memory = new RouteMemory(opts.log, opts.identity.instanceId);
    this.metricsView = opts.metrics !== undefined ? new MetricsView(opts.metrics) : undefined;
    const onHook = (hook: string, outcome: string): void => opts.metrics?.hookRuns.inc({ hook, outcome });
    if (opts.health === undefined)
      this.supervisor = new HealthSupervisor({
        identity: opts.identity,
        log: opts.log,
        noop: opts.noop,
        substitute: (a) => substitute(a, this.values),
        clock: this.clock,
        onChange: () => this.kick(),
        onHook,
        onResult: (check, ok, ms) => opts.metrics?.observeProbe(check, ok, ms / 1000),
      });
    this.health = opts.health ?? this.supervisor!;
    const onBeat = opts.onBeat;
    this.reconciler = new Reconciler({
      config: () => this.config,
      identity: opts.identity,
      values: this.values,
      ec2: onBeat !== undefined ? stepping(opts.ec2, () => safeBeat(onBeat, { kind: 'step' })) : opts.ec2,
      log: opts.log,
      clock: this.clock,
      health: this.health,
      drain: this.drain,
      errors: this.errors,
      memory: this.memory,
      signal: this.life.signal,
      startedAt: this.clock.now(),
      onHook,
      afterHook: (run) => {
        this.afterHooks.add(run);
        void run.finally(() => this.afterHooks.delete(run));
      },
    });
    this.scheduler = new Scheduler({
      clock: this.clock,
      pass: (kind) => this.pass(!opts.noop, kind),
      pollMs: () => this.config.pollTime * 1000,
      watchMs: () => (this.reconciler.watchedTables().length > 0 ? this.config.watchTime * 1000 : 0),
      lastFullRead: () => this.reconciler.lastFullRead,
      jitter: opts.pollJitter ?? 0.1,
      ...(onBeat !== undefined ? { onBeat } : {}),
    });
  }

  get values(): PlaceholderValues {
    return placeholderValues(this.opts.identity);
  }

  get identity(): Identity {
    return this.opts.identity;
  }

  get currentConfig(): Config {
    return this.config;
  }

  /** Passes that failed on an internal error (a bug), not on EC2. */
  get internalErrors(): number {
    return this.reconciler.internalErrors;
  }

  /** Brings the next pass forward (coalesced). */
  kick(): void {
    this.scheduler.kick();
  }

  /**
   * One pass: read, plan, and apply unless `apply` is false (plan / -noop).
   * `kind` (scheduler.ts PassKind): `kick` plans on the world view first (a
   * check changed); `watch` re-reads only the tables whose routes point
   * elsewhere; `poll` reads everything.
   */
  async pass(apply = !this.opts.noop, kind: PassKind = 'poll'): Promise<PassResult> {
    const startedAt = new Date().toISOString();
    const t0 = this.clock.now();
    const n = ++this.passesStarted;
    const r: PassResult = { ...(await this.reconciler.pass(apply, kind)), startedAt, durationMs: Math.round(this.clock.now() - t0) };
    this.lastPass = r;
    const waiting = this.passWaiters;
    this.passWaiters = waiting.filter((w) => w.after >= n);
    for (const w of waiting) if (w.after < n) w.done(r);
    this.recentChanges.push(...changeRecords(r, new Date().toISOString()));
    this.recentChanges.splice(0, Math.max(0, this.recentChanges.length - RECENT_CHANGES));
    this.metricsView?.update(r, this.routeStates(), this.allChecks(), this.drainState() !== undefined);
    return r;
  }

  routeStates(): RouteState[] {
    return routeStates(this.lastPass, this.opts.identity);
  }

  drainState(): DrainState | undefined {
    return this.drain.state();
  }

  /** `awsnycast drain` / `undrain`: remembered in the state file across restarts. */
  setDrain(drain: { force: boolean } | undefined): void {
    this.drain.set(drain);
    this.kick();
  }

  lifecycleSignals(): readonly LifecycleView[] {
    return this.lifecycle;
  }

  /**
   * The instance's own lifecycle signals changed (a spot notice, an Auto
   * Scaling state, a scheduled event): while any is active the instance is
   * drained in memory (never in the state file), so its routes are handed off.
   */
  setLifecycle(signals: readonly LifecycleView[]): void {
    this.lifecycle = signals;
    this.drain.hold('lifecycle', signals.length > 0 ? signals.map((s) => s.detail).join('; ') : undefined);
    this.kick();
  }

  /**
   * Before a stop (handoff_on_stop): drains in memory and waits until a pass
   * started after that has applied its hand-offs (or had none to make), at
   * most `timeoutMs`. True when it got there; false at the deadline. The loop
   * must be running.
   */
  async handOff(timeoutMs: number): Promise<boolean> {
    this.drain.hold('stop', 'this instance is stopping (handoff_on_stop)');
    const deadline = this.clock.now() + timeoutMs;
    while (this.clock.now() < deadline && !this.life.signal.aborted) {
      const after = this.passesStarted;
      const ended = new Promise<PassResult>((done) => this.passWaiters.push({ after, done }));
      this.kick();
      const wait = new AbortController();
      const r = await Promise.race([ended, this.clock.sleep(Math.max(0, deadline - this.clock.now()), wait.signal).then(() => undefined)]);
      wait.abort();
      if (r === undefined) break;
      // Done when nothing failed and no change waits for our own last write to show.
      if (!passFailed(r) && !(r.plan?.actions ?? []).some((a) => a.reason === Reason.OwnWriteUnseen)) return true;
      await this.clock.sleep(Math.min(250, Math.max(0, deadline - this.clock.now())), this.life.signal);
    }
    return false;
  }

  allChecks(): CheckEntry[] {
    return this.health.all();
  }

  /** Current problems: repeated failures, by cause. */
  currentErrors(): { cause: string; count: number }[] {
    return this.errors.list();
  }

  flappingRoutes(): { routeTable: string; cidr: string; other: string }[] {
    return this.memory.flappingRoutes();
  }

  /** Resolves when every local check that gates a route has decided, or after `maxMs`. */
  async waitForChecks(maxMs: number): Promise<boolean> {
    const used = [...new Set(this.config.routeTables.flatMap((t) => t.routes.flatMap((r) => r.healthchecks)))];
    return this.supervisor === undefined ? true : this.supervisor.waitForDecided(used, maxMs);
  }

  /** The longest time any check can take to decide. */
  decideBoundMs(): number {
    return decideBoundMs(this.config);
  }

  startChecks(signal: AbortSignal): void {
    signal.addEventListener('abort', () => this.life.abort(), { once: true });
    this.supervisor?.sync(this.config, this.life.signal);
  }

  /** Runs passes until `signal` fires. */
  async run(signal: AbortSignal): Promise<void> {
    this.startChecks(signal);
    await this.scheduler.run(this.life.signal);
  }

  /** Swaps in a new config (SIGHUP). Checks whose spec did not change keep their state. */
  reload(config: Config): void {
    this.config = config;
    this.memory.clearFlaps();
    this.supervisor?.sync(config);
    this.kick();
  }

  /** Resolves when every "after" route hook started so far has ended. */
  async hooksSettled(): Promise<void> {
    await Promise.all([...this.afterHooks]);
  }

  async stop(): Promise<void> {
    this.life.abort();
    await this.hooksSettled();
    await this.supervisor?.stop();
  }
}

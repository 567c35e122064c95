// Runs one check against one destination on a fixed monotonic grid
// (start + k × every, so no drift accumulates), with a small random first
// delay, never two probes at once, and the state reducer applied to every
// result. Emits events and keeps a snapshot for status pages and the daemon.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { CheckSpec } from '../config/index.js';
import { LatestOnlyQueue, hookName, runCheckHook } from './hooks.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { createProbe } from './probes/index.js';
import { HealthCode, fail } from './result.js';
import type { Probe, ProbeResult } from './result.js';
import { INITIAL_STATE, step, word } from './state.js';
import type { CheckState } from './state.js';
import { timerDelay } from '../timers.js';
import { HealthCheckError, adjustMaxListeners } from './check-types.js';
import type { ChangeEvent, CheckSnapshot, HealthCheckEvents, HealthCheckOptions, ResultRecord } from './check-types.js';
export { HealthCheckError } from './check-types.js';
export type { ChangeEvent, CheckSnapshot, HealthCheckEvents, HealthCheckOptions, HookDoneEvent, ResultEvent, ResultRecord } from './check-types.js';

interface InFlight {
  readonly ac: AbortController;
  readonly startedAt: number;
  /** Its result no longer counts (it overran, or the check stopped). */
  discarded: boolean;
}

/** First turns fall on this grid (ms), so that many checks share timer wake-ups. */
const JITTER_SLOT_MS = 50;

export class HealthCheck extends EventEmitter<HealthCheckEvents> {
  readonly name: string;
  readonly destination: string;
  private failRun: number[] = [];
  private stateValue: CheckState = INITIAL_STATE;
  private readonly results: ResultRecord[] = [];
  private readonly historySize: number;
  private readonly everyMs: number;
  private readonly timeoutMs: number;
  private readonly graceMs: number;
  private readonly probe: Probe;
  private readonly log: Logger;
  private readonly life = new AbortController();
  private started = false;
  private t0 = 0;
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private inFlight: InFlight | undefined;
  private probeAc = new AbortController();
  private inFlightDone: Promise<void> = Promise.resolve();
  private readonly hookQueue = new LatestOnlyQueue();

  constructor(
    readonly spec: CheckSpec,
    private readonly opts: HealthCheckOptions = {},
  ) {
    super();
    const destination = opts.destination ?? spec.destination;
    if (destination === undefined)
      throw new HealthCheckError('HC_NO_DESTINATION', `health check ${spec.name} has no destination (a remote template needs one from its pool)`);
    this.name = spec.name;
    this.destination = destination;
    this.everyMs = spec.every * 1000;
    this.timeoutMs = Math.min(spec.timeout, spec.every) * 1000;
    // How long past its turn a probe may still settle before it counts as an overrun.
    this.graceMs = Math.min(250, this.everyMs / 4);
    this.historySize = Math.max(1, opts.history ?? 10);
    this.probe = opts.probe ?? createProbe({ ...spec, timeout: this.timeoutMs / 1000 }, destination, opts.probeOptions);
    this.log = opts.logger ?? silentLogger;
  }

  get state(): CheckState {
    return this.stateValue;
  }

  /**
   * When (monotonic ms) each of the latest consecutive failed runs ended,
   * oldest first, at most `fall` of them; empty after a pass. The planner
   * uses it to tell a verdict formed before a route changed hands from one
   * formed after.
   */
  get failingRun(): readonly number[] {
    return this.failRun;
  }

  get healthy(): boolean {
    return this.stateValue.healthy;
  }

  get decided(): boolean {
    return this.stateValue.decided;
  }

  get isRunning(): boolean {
    return this.started && !this.life.signal.aborted;
  }

  /** Starts the schedule; it stops when `signal` fires or stop() is called. */
  start(signal?: AbortSignal): this {
    if (this.started) throw new HealthCheckError('HC_ALREADY_STARTED', `health check ${this.name} was already started`);
    this.started = true;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.stop();
        return this;
      }
      const onAbort = (): void => this.stop();
      // Many checks share one daemon signal: each raises the listener limit by the one it adds, so
      // node's leak warning keeps meaning something for the caller's own listeners.
      adjustMaxListeners(signal, +1);
      signal.addEventListener('abort', onAbort, { once: true });
      this.life.signal.addEventListener(
        'abort',
        () => {
          signal.removeEventListener('abort', onAbort);
          adjustMaxListeners(signal, -1);
        },
        { once: true },
      );
    }
    const maxJitter = this.opts.maxJitterMs ?? Math.min(this.everyMs / 2, 500);
    // The first turn is spread at random over maxJitter, on a 20 ms grid: checks
    // that land in the same slot share one timer wake-up (cheaper at many
    // checks), and distinct slots still keep them from firing in lockstep.
    const slot = Math.min(JITTER_SLOT_MS, this.everyMs / 10);
    const at = performance.now() + Math.random() * Math.max(0, maxJitter);
    this.t0 = maxJitter > 0 ? Math.ceil(at / slot) * slot : at;
    this.turn = 0;
    this.schedule();
    this.log.debug({ check: this.name, destination: this.destination, everyMs: this.everyMs, timeoutMs: this.timeoutMs }, 'health check started');
    return this;
  }

  /** Stops at once: timers cleared, the probe in flight and any running hook aborted. Idempotent. */
  stop(): void {
    if (this.life.signal.aborted) return;
    this.life.abort();
    clearTimeout(this.timer);
    clearTimeout(this.graceTimer);
    this.timer = undefined;
    this.graceTimer = undefined;
    if (this.inFlight !== undefined) {
      this.inFlight.discarded = true;
      this.inFlight.ac.abort();
    }
    this.probe.close?.();
    this.log.debug({ check: this.name, destination: this.destination }, 'health check stopped');
  }

  /** Resolves once nothing started by this check is still running (after stop(): the probe and hooks have ended). */
  async settled(): Promise<void> {
    await this.inFlightDone;
    await this.hookQueue.settled();
  }

  snapshot(): CheckSnapshot {
    const s = this.stateValue;
    const last = this.results[this.results.length - 1];
    return {
      name: this.name,
      type: this.spec.type,
      destination: this.destination,
      state: word(s.healthy),
      healthy: s.healthy,
      decided: s.decided,
      passes: s.passes,
      fails: s.fails,
      runs: s.runs,
      running: this.inFlight !== undefined,
      ...(last !== undefined ? { last } : {}),
      history: [...this.results],
    };
  }

  // ---------------------------------------------------------------- schedule

  private schedule(): void {
    if (this.life.signal.aborted) return;
    const now = performance.now();
    // Turns missed by more than a whole interval (a stalled event loop) are skipped, not run in a burst.
    if (this.t0 + this.turn * this.everyMs < now - this.everyMs) this.turn = Math.ceil((now - this.t0) / this.everyMs);
    const at = this.t0 + this.turn * this.everyMs;
    // Whole milliseconds: node keeps one timer list per distinct duration, and fractional ones each make a new list.
    this.timer = setTimeout(() => this.onTurn(), timerDelay(Math.round(at - now)));
  }

  private onTurn(): void {
    this.timer = undefined;
    if (this.life.signal.aborted) return;
    this.turn += 1;
    if (this.inFlight === undefined) this.launch();
    else this.waitForLate(this.inFlight);
    this.schedule();
  }

  /**
   * The previous probe is still running at this turn: give it a short grace,
   * then count an overrun. A probe that ignores its abort yields one failure
   * per turn for as long as it hangs, so the state still follows.
   */
  private waitForLate(late: InFlight): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      // (A probe that settles within the grace clears this timer and starts this turn's probe itself.)
      if (this.inFlight !== late || this.life.signal.aborted) return;
      if (!late.discarded) {
        late.discarded = true;
        late.ac.abort();
      }
      const ms = Math.round(performance.now() - late.startedAt);
      this.record(fail(HealthCode.overrun, ms, `overrun: previous probe still running after ${ms} ms`));
    }, this.graceMs);
  }

  private launch(): void {
    // One controller serves probe after probe; it is replaced only once used (overrun or stop).
    if (this.probeAc.signal.aborted) this.probeAc = new AbortController();
    const ac = this.probeAc;
    const flight: InFlight = { ac, startedAt: performance.now(), discarded: false };
    this.inFlight = flight;
    const settle = (r: ProbeResult): void => {
      if (this.inFlight === flight) this.inFlight = undefined;
      if (this.life.signal.aborted) return;
      if (!flight.discarded) this.record(r);
      // A turn that waited for this probe may start now.
      if (this.graceTimer !== undefined) {
        clearTimeout(this.graceTimer);
        this.graceTimer = undefined;
        this.launch();
      }
    };
    // A probe that throws instead of rejecting (a synchronous spawn failure, say) must not escape
    // into the timer callback and end the process: it becomes an internal failure like a rejection.
    let running: Promise<ProbeResult>;
    try {
      running = this.probe(ac.signal);
    } catch (e) {
      running = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.inFlightDone = running.then(settle, (e: unknown) =>
      settle(fail(HealthCode.internal, Math.round(performance.now() - flight.startedAt), `probe error: ${e instanceof Error ? e.message : String(e)}`)),
    );
  }

  // ---------------------------------------------------------------- results

  private record(r: ProbeResult): void {
    const rec: ResultRecord = { ...r, at: new Date().toISOString() };
    if (r.ok) this.failRun = [];
    else {
      this.failRun.push(performance.now());
      if (this.failRun.length > this.spec.fall) this.failRun.shift();
    }
    this.results.push(rec);
    if (this.results.length > this.historySize) this.results.shift();
    const before = this.stateValue;
    const s = step(before, r.ok, this.spec);
    this.stateValue = s.state;
    if (this.log.isLevelEnabled?.('debug') !== false)
      this.log.debug({ check: this.name, destination: this.destination, ok: r.ok, code: r.code, latencyMs: r.latencyMs, detail: r.detail }, 'health check result');
    this.notify('result', { name: this.name, destination: this.destination, result: rec, state: s.state });
    if (s.transition === undefined && !s.decidedNow) return;
    const event: ChangeEvent = {
      name: this.name,
      destination: this.destination,
      from: word(before.healthy),
      to: word(s.state.healthy),
      healthy: s.state.healthy,
      decided: s.state.decided,
      transition: s.transition !== undefined,
      result: rec,
    };
    const fields = { check: this.name, destination: this.destination, from: event.from, to: event.to, code: r.code, detail: r.detail };
    if (s.transition !== undefined) {
      this.log.info(fields, `health check is now ${event.to}`);
      this.runHook(event);
      this.notify('transition', event);
    } else {
      this.log.info(fields, 'health check decided: unhealthy');
    }
    this.notify('change', event);
  }

  /** Emits without letting a listener's exception escape into the schedule (it is logged instead). */
  private notify<K extends keyof HealthCheckEvents>(event: K, ...args: HealthCheckEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: HealthCheckEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error(
        { check: this.name, destination: this.destination, event, code: 'HC_LISTENER_ERROR', err: e instanceof Error ? (e.stack ?? e.message) : String(e) },
        'a health check event listener threw',
      );
    }
  }

  private runHook(e: ChangeEvent): void {
    const hooks = this.opts.hooks;
    if (hooks === false) return;
    const argv = e.to === 'healthy' ? this.spec.runOnHealthy : this.spec.runOnUnhealthy;
    if (argv === undefined || argv.length === 0) return;
    const event = { check: this.name, destination: this.destination, from: e.from, to: e.to, detail: e.result.detail };
    const signal = this.life.signal;
    // Coalesced: a transition still waiting for an earlier hook when a newer one comes is dropped, so a
    // flapping check runs the hook of its latest state, not a late backlog.
    const fields = { check: this.name, destination: this.destination, hook: hookName(e.to) };
    this.hookQueue.push(
      async () => {
        if (signal.aborted) return;
        const result = await runCheckHook(argv, event, this.spec.hookTimeout * 1000, this.log, { ...hooks, ...(this.spec.inherit !== undefined ? { inherit: this.spec.inherit } : {}) }, signal);
        this.notify('hook', { name: this.name, destination: this.destination, hook: hookName(e.to), result });
      },
      () => this.log.info(fields, 'health check hook skipped: a later transition superseded it'),
      // runCheckHook is meant never to reject; if it does anyway, it is logged and later hooks still run.
      (err) => this.log.error({ ...fields, code: 'HOOK_INTERNAL', err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'health check hook could not be run'),
    );
  }
}

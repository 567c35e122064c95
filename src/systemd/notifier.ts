// What `awsnycast run` tells systemd (Type=notify) and when; the daemon's
// loop knows nothing of it and only reports beats (scheduler.ts LoopBeat).
//  * STATUS=starting… while it reads its identity (metadata, then EC2).
//  * READY=1 when the first pass has ended, whether it went through or failed
//    (EC2 unreachable, throttled, a write refused): the daemon is up and
//    retrying, and a restart would not help. STATUS= says which.
//  * STATUS= after each pass: its outcome, the routes and how many are ours.
//  * WATCHDOG=1, when systemd asks for it (WATCHDOG_USEC), only while the loop
//    makes progress: a pass starts or ends, one of its EC2 calls comes back
//    (after the SDK's retries), or it waits for its next pass (and that wait
//    has not overrun). A loop stuck in a pass stops the pings after its last
//    step, and systemd kills and restarts the daemon WatchdogSec later.
//  * RELOADING=1 with MONOTONIC_USEC= on SIGHUP, then READY=1 when the first
//    pass on the new config has ended (or at once, with the reason in STATUS=,
//    when the new config is refused); Type=notify-reload asks for exactly this.
//  * STOPPING=1 on SIGTERM/SIGINT; nothing after it.
// Messages are sent at most every `minGapMs` (except READY, RELOADING and
// STOPPING, which go at once); what is due meanwhile waits and is merged.
import type { PassResult } from '../daemon/reconciler.js';
import { passFailed, type LoopBeat } from '../daemon/scheduler.js';
import type { RouteState } from '../daemon/view.js';
import type { NotifySink } from './sd-notify.js';

/** The longest STATUS= text sent (systemd shows it on one line of `systemctl status`). */
const STATUS_MAX = 300;

/** One line, at most STATUS_MAX characters. */
export function statusText(text: string): string {
  const one = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return one.length > STATUS_MAX ? `${one.slice(0, STATUS_MAX - 1)}…` : one;
}

/** STATUS= after a pass: e.g. `ok: 2 routes, 1 ours; last pass 14:00:01Z, 61 ms`. */
export function passStatus(r: PassResult, routes: readonly RouteState[], drained: boolean, failuresInARow: number): string {
  const ours = routes.filter((x) => x.ours).length;
  const changed = r.outcomes.filter((o) => o.ok).length;
  const parts = [`${routes.length} route${routes.length === 1 ? '' : 's'}`, `${ours} ours`];
  if (changed > 0) parts.push(`${changed} changed`);
  if (drained) parts.push('drained');
  const routesPart = r.plan === undefined ? '' : `${parts.join(', ')}; `;
  const when = `last pass ${r.startedAt.slice(11, 19)}Z, ${r.durationMs} ms`;
  if (passFailed(r)) {
    const failed = r.outcomes.find((o) => !o.ok);
    const why = r.error ?? (failed?.error !== undefined ? `${failed.action.action} route failed: ${failed.error.message}` : 'failed');
    return `failing${failuresInARow > 1 ? ` (${failuresInARow} passes in a row)` : ''}: ${why}; ${routesPart}${when}`;
  }
  const problem = r.plan?.problems[0];
  if (problem !== undefined) return `problem: ${problem.message}; ${routesPart}${when}`;
  return `ok: ${routesPart}${when}`;
}

export interface NotifierOptions {
  readonly sink: NotifySink;
  /** WATCHDOG_USEC in ms; no pings without it. */
  readonly watchdogMs?: number;
  /** STATUS= text after pass `r`, which failed `failuresInARow` times in a row (0: it went through). */
  readonly describe: (r: PassResult, failuresInARow: number) => string;
  /** Monotonic ms (tests). */
  readonly now?: () => number;
  /** CLOCK_MONOTONIC in µs, for MONOTONIC_USEC= (tests). */
  readonly monotonicUsec?: () => bigint;
  /** Tests: no timer; the test calls tick(). */
  readonly manualTicks?: boolean;
}

export class Notifier {
  private ready = false;
  private stopped = false;
  /** A reload was asked for; `running`: the first pass since has started. */
  private reload: 'none' | 'asked' | 'running' = 'none';
  /** While the loop waits between passes: when that wait ends (monotonic ms). */
  private idleUntil: number | undefined;
  private failures = 0;
  /** Added to every pass's status (e.g. a refused reload) until the next good reload. */
  private note = '';
  /** What is due but not sent yet. */
  private pendingPing = false;
  private pendingStatus: string | undefined;
  private lastSentAt = -Infinity;
  private lastPingAt = -Infinity;
  private readonly minGapMs: number;
  private readonly timer: NodeJS.Timeout | undefined;
  /** When something waits for the gap to pass: the timer that sends it. */
  private due: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: NotifierOptions) {
    this.now = o.now ?? (() => performance.now());
    const w = o.watchdogMs;
    // Pings and status updates at most every second (an eighth of the watchdog interval when that is shorter):
    // a pass's steps may then take up to WatchdogSec less that gap without a missed ping.
    this.minGapMs = w !== undefined ? Math.max(10, Math.min(1000, w / 8)) : 1000;
    if (o.manualTicks !== true) {
      this.timer = setInterval(() => this.tick(), this.minGapMs);
      this.timer.unref();
    }
  }

  /** The watchdog interval, when pings are sent. */
  get watchdogMs(): number | undefined {
    return this.o.watchdogMs;
  }

  /** STATUS= now (start-up steps). */
  status(text: string): void {
    if (this.stopped) return;
    this.pendingStatus = statusText(text);
    this.flush(true);
  }

  /** The loop's beats (Daemon `onBeat`). */
  readonly beat = (b: LoopBeat): void => {
    if (this.stopped) return;
    switch (b.kind) {
      case 'pass':
        this.idleUntil = undefined;
        if (this.reload === 'asked') this.reload = 'running';
        this.progress();
        return;
      case 'step':
        this.progress();
        return;
      case 'idle':
        this.idleUntil = this.now() + b.ms;
        return;
      case 'passed':
        this.passed(b.result);
        return;
    }
  };

  /** SIGHUP received: RELOADING=1 (once ready; a SIGHUP during start-up is covered by READY=1 after the first pass). */
  reloading(): void {
    if (this.stopped || !this.ready) return;
    this.reload = 'asked';
    this.send(['RELOADING=1', `MONOTONIC_USEC=${(this.o.monotonicUsec ?? monotonicUsec)()}`, `STATUS=${statusText('reloading the config')}`]);
  }

  /** The new config was refused; the old one stays: READY=1 at once, and the reason in every status until a good reload. */
  reloadRefused(why: string): void {
    if (this.stopped) return;
    this.note = `; last reload refused: ${why}`;
    if (!this.ready) return;
    this.reload = 'none';
    this.send(['READY=1', `STATUS=${statusText(`reload refused, running on the previous config: ${why}`)}`]);
  }

  /** The new config is in place: READY=1 follows the first pass on it. */
  reloaded(): void {
    this.note = '';
  }

  /** STOPPING=1, then nothing more. */
  stopping(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.due);
    this.o.sink.send(['STOPPING=1', `STATUS=${statusText('stopping; routes stay as they are')}`]);
  }

  /** Stops (STOPPING=1 if not sent yet) and waits up to `ms` for what is queued to be sent. */
  async close(ms: number): Promise<void> {
    this.stopping();
    await this.o.sink.close(ms);
  }

  private passed(r: PassResult): void {
    this.failures = passFailed(r) ? this.failures + 1 : 0;
    this.pendingStatus = statusText(this.o.describe(r, this.failures) + this.note);
    if (!this.ready || this.reload === 'running') {
      this.ready = true;
      this.reload = 'none';
      this.send(['READY=1']);
      return;
    }
    this.progress();
  }

  /** The loop moved on: a ping is due (once ready: systemd arms the watchdog at READY=1). */
  private progress(): void {
    if (this.ready && this.o.watchdogMs !== undefined) this.pendingPing = true;
    this.flush(false);
  }

  /** Runs every minGapMs: sends what is due, and pings while the loop waits between passes. */
  tick(): void {
    const w = this.o.watchdogMs;
    const now = this.now();
    // Waiting for the next pass is progress too, while the wait has not overrun (by half an interval).
    if (this.ready && w !== undefined && this.idleUntil !== undefined && now <= this.idleUntil + w / 2 && now - this.lastPingAt >= w / 4) this.pendingPing = true;
    this.flush(false);
  }

  /** Sends what is due: now if `force` or the last message is at least minGapMs old, else once it is. */
  private flush(force: boolean): void {
    if (this.stopped) return;
    if (!this.pendingPing && this.pendingStatus === undefined) return;
    const wait = this.minGapMs - (this.now() - this.lastSentAt);
    if (!force && wait > 0) {
      // Sent as soon as the gap allows (the test clock has no timers: its ticks do it).
      if (this.due === undefined && this.o.manualTicks !== true) {
        this.due = setTimeout(() => {
          this.due = undefined;
          this.flush(false);
        }, Math.ceil(wait));
        this.due.unref();
      }
      return;
    }
    this.send([]);
  }

  /** `fields`, with the ping and status that are due. */
  private send(fields: readonly string[]): void {
    const all = [...fields];
    if (this.pendingPing) all.push('WATCHDOG=1');
    if (this.pendingStatus !== undefined && !all.some((f) => f.startsWith('STATUS='))) all.push(`STATUS=${this.pendingStatus}`);
    const now = this.now();
    if (this.pendingPing) this.lastPingAt = now;
    this.pendingPing = false;
    this.pendingStatus = undefined;
    this.lastSentAt = now;
    this.o.sink.send(all);
  }
}

/** CLOCK_MONOTONIC in µs (what libuv's hrtime reads on Linux), as MONOTONIC_USEC= wants it. */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

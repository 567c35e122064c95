// The scheduler: when the next pass runs. Every poll_time (±10 % jitter,
// counted from the last full read, so passes on the cached view do not
// postpone it); at once when kicked (a check changed: the fast path, on the
// cached view), coalesced; sooner after a failed pass, with a growing
// jittered delay; and at the end of any hold-down or wait the plan asked for
// (retryAfterMs). Level-triggered: a kick carries no delta, it only brings
// the next pass forward. As it goes, the loop reports beats (LoopBeat): the
// systemd watchdog (src/systemd/notifier.ts) pings only while they come.
import type { Clock } from './clock.js';
import type { PassResult } from './reconciler.js';

/** After `failures` failed passes in a row: 1 s, 2 s, 4 s ... capped at poll_time and 30 s, each between 50 % and 100 % of that. */
export function retryDelayMs(failures: number, pollMs: number, random: () => number = Math.random): number {
  const cap = Math.min(pollMs, 30_000, 1000 * 2 ** Math.min(failures - 1, 15));
  return cap * (0.5 + random() * 0.5);
}

/** A pass that could not read or write. */
export const passFailed = (r: Pick<PassResult, 'error' | 'outcomes'>): boolean => r.error !== undefined || r.outcomes.some((o) => !o.ok);

export interface DelayInput {
  /** Failed passes in a row, this one included (0: it went through). */
  readonly failures: number;
  readonly pollMs: number;
  /** When the last full read happened, and now (the clock's ms). */
  readonly lastFullRead: number;
  readonly now: number;
  /** ±fraction of poll_time. */
  readonly jitter: number;
  readonly random?: () => number;
}

/** How long to wait after pass `r` before the next one (when nothing kicks). */
export function nextDelayMs(r: Pick<PassResult, 'plan'>, i: DelayInput): number {
  const random = i.random ?? Math.random;
  // A failing pass is retried sooner than poll_time, so the daemon converges soon after EC2 recovers
  // without bursting while it is still failing.
  let ms = i.failures > 0 ? retryDelayMs(i.failures, i.pollMs, random) : Math.max(0, i.lastFullRead + i.pollMs * (1 + (random() * 2 - 1) * i.jitter) - i.now);
  // A hold-down (or any wait the planner asked for) that ends before then gets a pass of its own.
  for (const a of r.plan?.actions ?? []) if (a.retryAfterMs !== undefined) ms = Math.min(ms, a.retryAfterMs + 50);
  return ms;
}

/**
 * What the loop reports as it goes: a pass starts, a step of it ends (an EC2
 * call came back, after the SDK's retries), the pass ends, the loop waits up
 * to `ms` for the next one (a kick may end the wait sooner). A loop stuck in a
 * pass (a promise that never settles) stops reporting.
 */
export type LoopBeat =
  | { readonly kind: 'pass' }
  | { readonly kind: 'step' }
  | { readonly kind: 'passed'; readonly result: PassResult }
  | { readonly kind: 'idle'; readonly ms: number };

/**
 * Why a pass runs: `poll` (poll_time, a retry, a wait the plan asked for: a
 * full read), `kick` (a check or the drain state changed: plan on the cached
 * view first), `watch` (watch_time: re-read only the tables whose routes
 * point elsewhere, so a hand-off to us or to a new owner is seen soon).
 */
export type PassKind = 'poll' | 'kick' | 'watch';

export interface SchedulerDeps {
  readonly clock: Clock;
  readonly pass: (kind: PassKind) => Promise<PassResult>;
  readonly pollMs: () => number;
  /** ms between watch passes; 0 = none (watch_time off, or nothing to watch). */
  readonly watchMs?: () => number;
  readonly lastFullRead: () => number;
  /** ±fraction of poll_time; default 0.1. */
  readonly jitter?: number;
  readonly random?: () => number;
  /** Receives the loop's beats (the systemd watchdog). */
  readonly onBeat?: (beat: LoopBeat) => void;
}

export class Scheduler {
  private kicked = false;
  private wake: AbortController | undefined;

  constructor(private readonly d: SchedulerDeps) {}

  /** Tells onBeat; a listener's failure never stops the loop. */
  private beat(b: LoopBeat): void {
    safeBeat(this.d.onBeat, b);
  }

  /** Brings the next pass forward (coalesced). */
  kick(): void {
    this.kicked = true;
    this.wake?.abort();
  }

  /** Runs passes until `signal` fires. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = (): void => this.wake?.abort();
    signal.addEventListener('abort', stop, { once: true });
    let failures = 0;
    let kind: PassKind = 'poll';
    try {
      while (!signal.aborted) {
        this.kicked = false;
        this.beat({ kind: 'pass' });
        const r = await this.d.pass(kind);
        this.beat({ kind: 'passed', result: r });
        if (signal.aborted) break;
        const failed = passFailed(r);
        failures = failed ? failures + 1 : 0;
        if (this.kicked) {
          kind = failed ? 'poll' : 'kick';
          continue;
        }
        const pollDelay = nextDelayMs(r, {
          failures,
          pollMs: this.d.pollMs(),
          lastFullRead: this.d.lastFullRead(),
          now: this.d.clock.now(),
          jitter: this.d.jitter ?? 0.1,
          ...(this.d.random !== undefined ? { random: this.d.random } : {}),
        });
        // A watch pass comes first when it is due before the poll (never while passes fail: those retry in full).
        const watchMs = failed ? 0 : (this.d.watchMs?.() ?? 0);
        const watching = watchMs > 0 && watchMs < pollDelay;
        const ms = watching ? watchMs : pollDelay;
        this.wake = new AbortController();
        if (!this.kicked) {
          this.beat({ kind: 'idle', ms });
          await this.d.clock.sleep(ms, this.wake.signal);
        }
        this.wake = undefined;
        // Woken by a check change (not the poll timer, not a hold-down): the fast path.
        kind = this.kicked && !failed ? 'kick' : watching ? 'watch' : 'poll';
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}

/** Calls `onBeat` with `b`; what it throws is dropped (the watchdog's notifier must never break a pass or the loop). */
export function safeBeat(onBeat: ((b: LoopBeat) => void) | undefined, b: LoopBeat): void {
  try {
    onBeat?.(b);
  } catch {
    // the notifier logs its own failures
  }
}

// The daemon's clock: monotonic milliseconds and interruptible sleeps. The
// real one reads performance.now() and uses timers; loop tests inject a fake
// one and move time themselves, so the scheduler, rank delays, hold-downs and
// the stale-verdict rule run deterministically without waiting.
import { timerDelay } from '../timers.js';

export interface Clock {
  /** Monotonic ms. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` fires (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) return resolve();
      const done = (): void => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, timerDelay(ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

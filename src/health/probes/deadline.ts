// The frame every socket or process probe shares: settle exactly once, on the
// first of the probe's own outcome, its timeout, or the check's abort signal;
// then clear the timer, drop the abort listener, and close what the probe
// opened.
import { performance } from 'node:perf_hooks';
import { HealthCode, fail, roundMs } from '../result.js';
import type { ProbeResult } from '../result.js';
import { timerDelay } from '../../timers.js';

export interface Deadline {
  /** Settles the probe (only the first call counts). */
  readonly finish: (r: ProbeResult) => void;
  /** Milliseconds since the probe started, rounded for results. */
  readonly elapsed: () => number;
}

export interface ProbeHandlers {
  /** The result when the timeout comes first. */
  onTimeout(): ProbeResult;
  /** Closes what the probe opened (socket, request, waiter); called once, after settling. */
  close(): void;
}

export function withDeadline(signal: AbortSignal, timeoutMs: number, start: (d: Deadline) => ProbeHandlers): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    const t0 = performance.now();
    const elapsed = (): number => roundMs(performance.now() - t0);
    if (signal.aborted) {
      resolve(fail(HealthCode.aborted, 0, 'stopped'));
      return;
    }
    let settled = false;
    let handlers: ProbeHandlers | undefined;
    const finish = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      handlers?.close();
      resolve(r);
    };
    const onAbort = (): void => finish(fail(HealthCode.aborted, elapsed(), 'stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(handlers?.onTimeout() ?? fail(HealthCode.timeout, elapsed(), `no result within ${Math.round(timeoutMs)} ms`)), timerDelay(timeoutMs));
    try {
      handlers = start({ finish, elapsed });
    } catch (e) {
      finish(fail(HealthCode.internal, elapsed(), `probe error: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    // The probe settled while it was starting: close what it opened now.
    if (settled) handlers.close();
  });
}

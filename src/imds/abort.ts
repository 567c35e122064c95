// Stopping during start-up: a SIGTERM while the daemon still waits for
// metadata or EC2 ends the wait at once (no SDK import here, so the CLI can
// recognise the error without loading the SDK).
import { timerDelay } from '../timers.js';
/** Start-up was stopped (SIGTERM/SIGINT) while it was still waiting for metadata or EC2. */
export class StartupAborted extends Error {
  constructor() {
    super('stopped during start-up');
    this.name = 'StartupAborted';
  }
}

/** Whether `signal` has fired (a call, so that a check after an await is not narrowed away). */
export const aborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

/** Waits `ms`, or less if `signal` fires; throws StartupAborted if it has. */
export async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (aborted(signal)) throw new StartupAborted();
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, timerDelay(ms));
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
  if (aborted(signal)) throw new StartupAborted();
}

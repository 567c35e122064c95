// Node fires a timer whose delay is 2^31 ms (~24.9 days) or more after 1 ms,
// with only a warning: a huge duration would become a busy loop. Every timer
// whose delay comes from the config goes through timerDelay(), which refuses
// such a delay (the config schema already caps every duration well below it).
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a timer delay (negative becomes 0); throws RangeError past MAX_TIMER_MS or for NaN. */
export function timerDelay(ms: number): number {
  if (Number.isNaN(ms) || ms > MAX_TIMER_MS) throw new RangeError(`a timer of ${ms} ms is longer than Node can keep (${MAX_TIMER_MS} ms); refusing it`);
  return Math.max(0, ms);
}

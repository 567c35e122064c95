// Repeated failures, logged once: the first time a cause is seen it is
// logged; repeats are counted, not logged, until it clears (then one
// "recovered" line with the count). The status page lists what is open.
import type { Logger } from '../log/logger.js';

export class ErrorBook {
  private readonly open = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  /** Counts `key`; logs `msg` the first time it is seen since it last cleared. */
  report(key: string, fields: object, msg: string): void {
    const n = this.open.get(key) ?? 0;
    this.open.set(key, n + 1);
    if (n === 0) this.log.error(fields, msg);
  }

  /** Clears every open cause whose key starts with `prefix`. */
  clear(prefix: string): void {
    for (const [k, n] of this.open) {
      if (!k.startsWith(prefix)) continue;
      this.log.info({ cause: k, times: n }, `recovered: ${k}`);
      this.open.delete(k);
    }
  }

  list(): { cause: string; count: number }[] {
    return [...this.open].map(([cause, count]) => ({ cause, count }));
  }
}

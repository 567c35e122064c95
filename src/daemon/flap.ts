// Flap detection: two instances both configured as primary for one route
// take it from each other again and again. Each take-back (a PREEMPT of a
// live owner) is counted per route and per other owner; FLAP_MAX_SWINGS of
// them within FLAP_WINDOW_MS mark the route as flapping, and the planner then
// stops taking it back (Reason.Flapping) until the route no longer points at
// the instance we fought with.
import type { Logger } from 'pino';

/** Take-backs of one route from the same live owner within the window that mean two primaries are fighting. */
export const FLAP_MAX_SWINGS = 3;
export const FLAP_WINDOW_MS = 300_000;

export class FlapDetector {
  /** By route key: our recent take-backs and from whom. */
  private readonly swings = new Map<string, { other: string; times: number[] }>();
  /** By route key: the instance (or target) we are flapping with. */
  private readonly flapping = new Map<string, string>();

  constructor(
    private readonly log: Logger,
    private readonly us: string,
  ) {}

  /** We took `key` back from the live owner `other` at `now` (monotonic ms). */
  tookBack(key: string, other: string, now: number): void {
    const prev = this.swings.get(key);
    const times = (prev?.other === other ? prev.times : []).filter((t) => now - t < FLAP_WINDOW_MS);
    times.push(now);
    this.swings.set(key, { other, times });
    if (times.length < FLAP_MAX_SWINGS || this.flapping.has(key)) return;
    this.flapping.set(key, other);
    const [routeTable, cidr] = key.split(' ');
    this.log.error(
      { routeTable, cidr, us: this.us, other, swings: times.length },
      `route ${cidr} in ${routeTable} is flapping between ${this.us} and ${other} (${times.length} take-backs in ${FLAP_WINDOW_MS / 1000} s); not taking it back until that changes — are both configured as primary?`,
    );
  }

  /** We gave `key` away ourselves (a hand-off, a fallback): taking it back later is no fight. */
  forget(key: string): void {
    this.swings.delete(key);
  }

  /** A flap is over when the route no longer points at the instance we fought with; `ownerOf` reads the current owner. */
  update(ownerOf: (key: string) => string | undefined): void {
    for (const [key, other] of this.flapping) {
      if (ownerOf(key) === other) continue;
      this.flapping.delete(key);
      this.swings.delete(key);
      const [routeTable, cidr] = key.split(' ');
      this.log.info({ routeTable, cidr, other }, `route ${cidr} in ${routeTable} no longer points at ${other}; flap detection reset`);
    }
  }

  /** For the planner: route key -> the other instance. */
  snapshot(): Record<string, string> {
    return Object.fromEntries(this.flapping);
  }

  routes(): { routeTable: string; cidr: string; other: string }[] {
    return [...this.flapping].map(([key, other]) => {
      const [routeTable = '', cidr = ''] = key.split(' ');
      return { routeTable, cidr, other };
    });
  }

  clear(): void {
    this.flapping.clear();
    this.swings.clear();
  }
}

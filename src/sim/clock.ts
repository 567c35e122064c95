// Time as the simulator sees it. Everything time-dependent (instance state
// phases, token buckets, IMDS token expiry, mutation timestamps) reads this,
// so unit tests can move time by hand instead of sleeping.
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Monotonic milliseconds (performance.now() in real time). */
  now(): number;
  /** Wall-clock milliseconds since the epoch (Date.now() in real time). */
  wall(): number;
}

export const realClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
};

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private t: number;
  private readonly wall0: number;
  constructor(startMs = 0, wallStartMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
    this.wall0 = wallStartMs - startMs;
  }
  now(): number {
    return this.t;
  }
  wall(): number {
    return this.wall0 + this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

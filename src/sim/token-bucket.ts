// AWS's request-rate model: a bucket holds up to `burst` tokens and refills
// `perSecond` tokens a second; each call takes one, and a call that finds the
// bucket empty is throttled.
import type { Clock } from './clock.js';

export interface BucketSpec {
  readonly burst: number;
  readonly perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly spec: BucketSpec,
    private readonly clock: Clock,
  ) {
    this.tokens = spec.burst;
    this.last = clock.now();
  }

  take(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  available(): number {
    return Math.floor(Math.min(this.spec.burst, this.tokens + ((this.clock.now() - this.last) / 1000) * this.spec.perSecond));
  }
}

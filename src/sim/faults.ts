// The fault switches: per-action latency, throttling (AWS's token buckets or
// forced), an injected error rate, a full outage of the EC2 endpoint and an
// IMDS outage. Changed through the admin API or the programmatic handle.
import type { Clock } from './clock.js';
import type { ActionKind } from './ec2-actions/index.js';
import { TokenBucket, type BucketSpec } from './token-bucket.js';
import { mulberry32 } from '../prng.js';

export type OutageMode = 'none' | 'refuse' | 'hang';
export type ImdsOutageMode = 'none' | 'refuse' | 'hang' | 'error';

export interface FaultSettings {
  /** Extra delay per action in ms; `*` applies to every action without its own entry. */
  readonly latencyMs: Readonly<Record<string, number>>;
  readonly throttle: {
    /** AWS's token buckets, one per action, sized by the action's kind (off by default so tests are not throttled by surprise). */
    readonly enabled: boolean;
    /** Throttle every call (or every call of `forcedActions`) regardless of the buckets. */
    readonly forced: boolean;
    readonly forcedActions: readonly string[];
    readonly describe: BucketSpec;
    readonly mutate: BucketSpec;
  };
  readonly errors: {
    /** Probability 0..1 that a call fails with `status`. */
    readonly rate: number;
    readonly status: 500 | 503;
    /** Limit to these actions; empty means all. */
    readonly actions: readonly string[];
    readonly seed: number;
  };
  readonly outage: { readonly mode: OutageMode };
  readonly imds: { readonly mode: ImdsOutageMode; /** Empty means every instance. */ readonly instances: readonly string[] };
}

export const DEFAULT_FAULTS: FaultSettings = {
  latencyMs: {},
  throttle: {
    enabled: false,
    forced: false,
    forcedActions: [],
    describe: { burst: 100, perSecond: 20 },
    mutate: { burst: 50, perSecond: 5 },
  },
  errors: { rate: 0, status: 503, actions: [], seed: 1 },
  outage: { mode: 'none' },
  imds: { mode: 'none', instances: [] },
};

const prng = mulberry32;

export class Faults {
  settings: FaultSettings = DEFAULT_FAULTS;
  /** One bucket per action, as AWS keeps them; made at an action's first call. */
  private buckets = new Map<string, TokenBucket>();
  private random: () => number;

  constructor(private readonly clock: Clock) {
    this.random = prng(this.settings.errors.seed);
  }

  private bucket(action: string, kind: ActionKind): TokenBucket {
    let b = this.buckets.get(action);
    if (b === undefined) {
      b = new TokenBucket(this.settings.throttle[kind], this.clock);
      this.buckets.set(action, b);
    }
    return b;
  }

  /** Merges a partial change (one level deep per section) and resets buckets/PRNG when their settings change. */
  update(patch: DeepPartial<FaultSettings>): FaultSettings {
    const s = this.settings;
    const next: FaultSettings = {
      latencyMs: patch.latencyMs !== undefined ? { ...s.latencyMs, ...(patch.latencyMs as Record<string, number>) } : s.latencyMs,
      throttle: {
        ...s.throttle,
        ...(patch.throttle),
        describe: { ...s.throttle.describe, ...(patch.throttle?.describe) },
        mutate: { ...s.throttle.mutate, ...(patch.throttle?.mutate) },
      },
      errors: { ...s.errors, ...(patch.errors) },
      outage: { ...s.outage, ...(patch.outage) },
      imds: { ...s.imds, ...(patch.imds) },
    };
    this.settings = next;
    if (patch.throttle !== undefined) this.buckets.clear();
    if (patch.errors !== undefined) this.random = prng(next.errors.seed);
    return next;
  }

  clear(): void {
    this.settings = DEFAULT_FAULTS;
    this.buckets.clear();
    this.random = prng(this.settings.errors.seed);
  }

  latencyFor(action: string): number {
    return this.settings.latencyMs[action] ?? this.settings.latencyMs['*'] ?? 0;
  }

  /** Should this call be throttled? Takes a token when buckets are on. */
  throttled(action: string, kind: ActionKind): boolean {
    const t = this.settings.throttle;
    if (t.forced && (t.forcedActions.length === 0 || t.forcedActions.includes(action))) return true;
    if (!t.enabled) return false;
    return !this.bucket(action, kind).take();
  }

  /** The injected HTTP status for this call, if it is to fail. */
  injectedError(action: string): 500 | 503 | undefined {
    const e = this.settings.errors;
    if (e.rate <= 0) return undefined;
    if (e.actions.length > 0 && !e.actions.includes(action)) return undefined;
    return this.random() < e.rate ? e.status : undefined;
  }

  imdsMode(instanceId: string): ImdsOutageMode {
    const m = this.settings.imds;
    if (m.mode === 'none') return 'none';
    return m.instances.length === 0 || m.instances.includes(instanceId) ? m.mode : 'none';
  }

  /** Tokens left in each action's bucket (actions not called since the last reset are full). */
  bucketLevels(): Record<string, number> {
    return Object.fromEntries([...this.buckets].map(([action, b]) => [action, b.available()]));
  }
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

// Runs a set of checks until every one has decided (or a bound passes), then
// stops them all. Used by `awsnycast check`; handy for a daemon's first pass.
import type { CheckSpec } from '../config/index.js';
import { HealthCheck } from './runner.js';
import type { CheckSnapshot, HealthCheckOptions } from './runner.js';
import { timerDelay } from '../timers.js';

export interface Target {
  readonly spec: CheckSpec;
  readonly destination: string;
}

/**
 * The longest a check can take to decide: it is decided at the latest on run
 * `rise`, which starts (rise − 1) × every after the first and ends within its
 * timeout; plus the first-run jitter and slack for a busy machine. It is only a
 * cap: the wait ends as soon as every check has decided.
 */
export function decisionBoundMs(spec: CheckSpec, jitterMs: number): number {
  return (spec.rise - 1) * spec.every * 1000 + Math.min(spec.timeout, spec.every) * 1000 + jitterMs + 2000;
}

export async function runUntilDecided(
  targets: readonly Target[],
  opts: Omit<HealthCheckOptions, 'destination'> & { readonly signal?: AbortSignal } = {},
): Promise<CheckSnapshot[]> {
  const jitterMs = opts.maxJitterMs ?? 50;
  const life = new AbortController();
  const onOuterAbort = (): void => life.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const { signal: _signal, ...checkOpts } = opts;
  const checks = targets.map((t) => new HealthCheck(t.spec, { ...checkOpts, maxJitterMs: jitterMs, destination: t.destination }));
  const bound = Math.max(0, ...targets.map((t) => decisionBoundMs(t.spec, jitterMs)));
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, timerDelay(bound));
      function finish(): void {
        clearTimeout(timer);
        life.signal.removeEventListener('abort', finish);
        resolve();
      }
      life.signal.addEventListener('abort', finish, { once: true });
      const check = (): void => {
        if (checks.every((c) => c.decided)) finish();
      };
      for (const c of checks) {
        c.on('change', check);
        c.start(life.signal);
      }
      check();
    });
  } finally {
    life.abort();
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  await Promise.all(checks.map((c) => c.settled()));
  return checks.map((c) => c.snapshot());
}

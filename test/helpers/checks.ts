// Fixtures for the health-check runner's unit tests: a check spec, a probe
// that answers from a script, and a wait for a condition on a check's results.
import type { CheckSpec } from '../../src/config/index.js';
import { HealthCode, fail, pass } from '../../src/health/result.js';
import type { Probe, ProbeResult } from '../../src/health/result.js';
import type { HealthCheck } from '../../src/health/runner.js';

export function spec(over: Partial<CheckSpec> = {}): CheckSpec {
  return {
    name: 'unit',
    remote: false,
    type: 'command',
    destination: '192.0.2.10',
    rise: 2,
    fall: 2,
    every: 0.03,
    timeout: 0.03,
    hookTimeout: 5,
    probe: { kind: 'command', command: 'true', args: [] },
    ...over,
  };
}

/** A probe that answers from a script of results, then repeats the last one. */
export function scripted(results: boolean[]): Probe & { calls: number } {
  const p = Object.assign(
    (_signal: AbortSignal): Promise<ProbeResult> => {
      const ok = results[Math.min(p.calls, results.length - 1)] ?? true;
      p.calls++;
      return Promise.resolve(ok ? pass(1) : fail(HealthCode.refused, 1, 'connect ECONNREFUSED'));
    },
    { calls: 0 },
  );
  return p;
}

export function until(check: HealthCheck, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      check.off('result', onResult);
      reject(new Error('condition not reached'));
    }, timeoutMs);
    const onResult = (): void => {
      if (pred()) {
        clearTimeout(t);
        check.off('result', onResult);
        resolve();
      }
    };
    check.on('result', onResult);
  });
}

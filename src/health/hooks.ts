// run_on_healthy / run_on_unhealthy: argv without a shell, with a timeout and
// environment variables describing the event. Hooks of one check run one at a
// time in the order of its transitions, off the probe path; a failing hook is
// logged (exit status and the tail of stderr) and otherwise ignored.
import { runArgv } from '../hooks/run-argv.js';
import type { RunArgvResult } from '../hooks/run-argv.js';
import type { ChildInherit } from '../config/model.js';
import type { Logger } from './logger.js';
import type { HealthWord } from './state.js';

export interface HookEvent {
  readonly check: string;
  readonly destination: string;
  readonly from: HealthWord;
  readonly to: HealthWord;
  /** Detail of the result that caused the transition. */
  readonly detail: string;
}

export interface HookOptions {
  /** Applied to every argument before the run (placeholders such as `${instance_id}`). */
  readonly substitute?: (arg: string) => string;
  /** Extra variables for every hook. */
  readonly env?: Readonly<Record<string, string>>;
  /** Milliseconds between SIGTERM and SIGKILL at the timeout. Default 2000. */
  readonly killGraceMs?: number;
  /** What the hook inherits from the daemon beyond the default (the check spec's `inherit`). */
  readonly inherit?: ChildInherit;
}

export function hookName(to: HealthWord): 'run_on_healthy' | 'run_on_unhealthy' {
  return to === 'healthy' ? 'run_on_healthy' : 'run_on_unhealthy';
}

export function hookEnv(e: HookEvent): Record<string, string> {
  return {
    AWSNYCAST_EVENT: hookName(e.to),
    AWSNYCAST_CHECK: e.check,
    AWSNYCAST_STATE: e.to,
    AWSNYCAST_PREVIOUS_STATE: e.from,
    AWSNYCAST_DESTINATION: e.destination,
    AWSNYCAST_DETAIL: e.detail,
  };
}

/** Runs one hook to completion; never rejects. */
export async function runCheckHook(
  argv: readonly string[],
  event: HookEvent,
  timeoutMs: number,
  log: Logger,
  opts: HookOptions = {},
  signal?: AbortSignal,
): Promise<RunArgvResult> {
  const sub = opts.substitute;
  const finalArgv = sub !== undefined ? argv.map((a) => sub(a)) : [...argv];
  const fields = { check: event.check, destination: event.destination, hook: hookName(event.to), argv: finalArgv };
  const r = await runArgv(finalArgv, {
    timeoutMs,
    killGraceMs: opts.killGraceMs ?? 2000,
    env: { ...opts.env, ...hookEnv(event) },
    ...(opts.inherit !== undefined ? { inherit: opts.inherit } : {}),
    ...(signal !== undefined ? { signal } : {}),
  });
  const base = { ...fields, durationMs: Math.round(r.durationMs), stderrTail: tailLines(r.stderrTail) };
  if (r.spawnError !== undefined)
    log.error({ ...base, code: 'HOOK_SPAWN', error: r.spawnError, ...(r.spawnDetail !== undefined ? { detail: r.spawnDetail } : {}) }, 'health check hook could not be started');
  else if (r.timedOut) log.error({ ...base, code: 'HOOK_TIMEOUT', timeoutMs }, 'health check hook killed after its timeout');
  else if (r.aborted) log.warn({ ...base, code: 'HOOK_ABORTED' }, 'health check hook killed: check stopped');
  else if (r.exitCode !== 0)
    log.error({ ...base, code: 'HOOK_FAILED', exitCode: r.exitCode, signal: r.signal }, 'health check hook failed');
  else log.info(base, 'health check hook ran');
  return r;
}

/** The last few lines of a tail, for logs. */
function tailLines(text: string, lines = 5): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs tasks one at a time, in order. A task still waiting when a newer one
 * is pushed is skipped (`onSkip`): only the latest transition's hook runs.
 * Never rejects: a task's failure goes to `onError` and the queue goes on.
 */
export class LatestOnlyQueue {
  private chain: Promise<void> = Promise.resolve();
  private gen = 0;

  push(task: () => Promise<void>, onSkip: () => void, onError: (err: unknown) => void): void {
    const gen = ++this.gen;
    this.chain = this.chain
      .then(async () => {
        if (gen !== this.gen) return onSkip();
        await task();
      })
      .catch(onError);
  }

  /** Resolves when every task pushed so far has run or been skipped. */
  settled(): Promise<void> {
    return this.chain;
  }
}

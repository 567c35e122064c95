// command: run an argv (no shell) with %DESTINATION% substituted; exit 0 is a
// pass. At the timeout the command and everything in its process group is
// killed. Like a hook, it runs as child.ts says: its program judged, no AWS_*
// variables (unless pass_aws_env), no inherited capabilities (unless
// pass_capabilities).
import { runArgv } from '../../hooks/run-argv.js';
import { HealthCode, fail, pass, roundMs } from '../result.js';
import type { Probe } from '../result.js';
import type { ChildInherit } from '../../config/model.js';

export function commandArgv(command: string, args: readonly string[], destination: string): string[] {
  return [command, ...args.map((a) => a.replaceAll('%DESTINATION%', destination))];
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  const l = (lines[lines.length - 1] ?? '').trim();
  return l.length > 80 ? l.slice(0, 80) + '…' : l;
}

export function commandProbe(
  destination: string,
  spec: { readonly command: string; readonly args: readonly string[] },
  timeoutMs: number,
  env: Readonly<Record<string, string>> = {},
  inherit?: ChildInherit,
): Probe {
  const argv = commandArgv(spec.command, spec.args, destination);
  return async (signal) => {
    const r = await runArgv(argv, { timeoutMs, signal, reapGroup: true, tailBytes: 2048, env: { AWSNYCAST_DESTINATION: destination, ...env }, ...(inherit !== undefined ? { inherit } : {}) });
    const ms = roundMs(r.durationMs);
    if (r.aborted) return fail(HealthCode.aborted, ms, 'stopped');
    if (r.timedOut) return fail(HealthCode.timeout, ms, `killed after timeout (${Math.round(timeoutMs)} ms)`);
    if (r.spawnError !== undefined) return fail(HealthCode.spawn, ms, `spawn ${r.spawnError}${r.spawnDetail !== undefined ? `: ${r.spawnDetail}` : ''}`);
    if (r.exitCode === 0) return pass(ms);
    const why = lastLine(r.stderrTail);
    const status = r.exitCode !== null ? `exit status ${r.exitCode}` : `killed by ${r.signal ?? 'a signal'}`;
    return fail(HealthCode.exit, ms, why !== '' ? `${status}: ${why}` : status);
  };
}

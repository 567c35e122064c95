// ping: one ICMP echo through the system ping (iputils), one short process
// per probe. `-W` takes whole seconds on older iputils, so it is rounded up
// and the real timeout is enforced here by killing the process.
import { isIPv6 } from 'node:net';
import { runArgv } from '../../hooks/run-argv.js';
import { HealthCode, fail, pass, roundMs } from '../result.js';
import type { Probe } from '../result.js';

/** The command that ping runs under; tests prefix it (`ip netns exec NS ping`). */
export const DEFAULT_PING_COMMAND: readonly string[] = ['ping'];

export function pingArgv(destination: string, timeoutMs: number, command: readonly string[] = DEFAULT_PING_COMMAND): string[] {
  const waitSeconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return [...command, ...(isIPv6(destination) ? ['-6'] : []), '-n', '-c', '1', '-W', String(waitSeconds), destination];
}

/** The round-trip time ping printed (`time=0.036 ms`), if any. */
export function parseRtt(stdout: string): number | undefined {
  const m = /time[=<]([\d.]+) ?ms/.exec(stdout);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim().slice(0, 120);
}

export function pingProbe(destination: string, timeoutMs: number, command: readonly string[] = DEFAULT_PING_COMMAND): Probe {
  const argv = pingArgv(destination, timeoutMs, command);
  return async (signal) => {
    // privileged: ping needs the daemon's CAP_NET_RAW (docs/operations.md), unlike hooks and command checks.
    const r = await runArgv(argv, { timeoutMs, signal, reapGroup: true, tailBytes: 1024, privileged: true });
    const wall = roundMs(r.durationMs);
    if (r.aborted) return fail(HealthCode.aborted, wall, 'stopped');
    if (r.timedOut) return fail(HealthCode.timeout, wall, `no reply within ${Math.round(timeoutMs)} ms`);
    if (r.spawnError !== undefined) return fail(HealthCode.spawn, wall, `cannot run ${argv[0] ?? 'ping'}: ${r.spawnError}`);
    if (r.exitCode === 0) return pass(parseRtt(r.stdoutTail) ?? wall);
    // iputils: 1 = sent but no reply; 2 = could not send (unreachable network, bad address, ...).
    if (r.exitCode === 1) return fail(HealthCode.noReply, wall, 'no reply');
    const why = lastLine(r.stderrTail);
    if (/unreachable/i.test(why)) return fail(HealthCode.connect, wall, why.replace(/^ping: /, ''));
    return fail(HealthCode.exit, wall, `ping exit status ${r.exitCode ?? r.signal ?? '?'}${why !== '' ? `: ${why}` : ''}`);
  };
}

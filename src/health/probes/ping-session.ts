// ping with one long-lived process per check: `ping -n -i EVERY DEST` sends
// one echo per interval; much cheaper than a process per run at sub-second
// intervals. The result of each run is about an echo of its own turn:
//  * every reply carries its send time (arrival - round trip); a run takes
//    the first unused reply sent from half an interval before its start up
//    to its timeout, so a late reply of an earlier turn never counts for a
//    later one, and no reply is used twice;
//  * ping keeps its own clock, which drifts from the check's (about 5 ms
//    per echo was measured here at -i 0.2), so the process is restarted at
//    the next run whenever a reply's send time strays more than a quarter
//    interval from its run's start, or a run gets no reply: the restarted
//    ping sends at once, in step with the run.
// The process is killed when the check stops.
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { HealthCode, fail, pass, roundMs } from '../result.js';
import { withDeadline } from './deadline.js';
import type { Probe, ProbeResult } from '../result.js';
import { DEFAULT_PING_COMMAND, pingProbe } from './ping.js';

/** A probe that owns a process: close() ends it. */
export type ClosableProbe = Probe & { close(): void };

export function pingSessionArgv(destination: string, everyMs: number, command: readonly string[] = DEFAULT_PING_COMMAND): string[] {
  return [...command, ...(isIPv6(destination) ? ['-6'] : []), '-n', '-i', String(everyMs / 1000), destination];
}

interface Reply {
  readonly seq: number;
  readonly rttMs: number;
  /** When the echo was sent (monotonic ms): arrival minus the round trip. */
  readonly sentAt: number;
}

const REPLY = /icmp_seq=(\d+).*time[=<]([\d.]+) ?ms/;

/** How the process is started; replaceable in tests (a spawn that throws, or returns a child without pipes). */
export type SpawnFn = (file: string, args: readonly string[], options: { detached: true; stdio: ['ignore', 'pipe', 'pipe'] }) => ChildProcessByStdio<null, Readable, Readable>;

export function pingSessionProbe(
  destination: string,
  everyMs: number,
  timeoutMs: number,
  command: readonly string[] = DEFAULT_PING_COMMAND,
  spawnFn: SpawnFn = spawn,
): ClosableProbe {
  const argv = pingSessionArgv(destination, everyMs, command);
  let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  let replies: Reply[] = [];
  let stderrTail = '';
  /** Restart the process at the next run (its clock drifted, or a run got no reply). */
  let realign = false;
  /** A reply's send time may be this far from its run's start before the process is restarted. */
  const realignMs = everyMs / 4;
  /** How long before its start a run's echo may have been sent (its window opens here). */
  const earlyMs = everyMs / 2;
  let waiter: ((r: Reply | { exit: string; code: HealthCode }) => void) | undefined;
  /** Set when this ping refuses the interval (old iputils, unprivileged, below 0.2 s): one process per run instead. */
  let fallback: Probe | undefined;

  const kill = (): void => {
    const c = child;
    child = undefined;
    replies = [];
    if (c?.pid !== undefined) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    c?.stdout.destroy();
    c?.stderr.destroy();
  };

  const start = (): string | undefined => {
    const [file, ...args] = argv;
    if (file === undefined) return 'EMPTY_ARGV';
    stderrTail = '';
    realign = false;
    let c: ChildProcessByStdio<null, Readable, Readable> | undefined;
    try {
      // spawn throws for some failures (a NUL byte in an argument, E2BIG); under EMFILE it returns a
      // child without pipes and reports the error a tick later. Neither may escape into the check's
      // timer: this run fails, and the next run tries to start the process again.
      c = spawnFn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      wire(c, file);
      child = c;
    } catch (e) {
      const pid = c?.pid;
      if (pid !== undefined) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      (c?.stdout as Readable | null | undefined)?.destroy();
      (c?.stderr as Readable | null | undefined)?.destroy();
      return describeSpawnError(e);
    }
    return undefined;
  };

  /** Listens to a new process; throws when it has no pipes. */
  const wire = (c: ChildProcessByStdio<null, Readable, Readable>, file: string): void => {
    // 'error' first: once anything below throws, a pending EMFILE error event must still find a listener.
    c.on('error', (e: NodeJS.ErrnoException) => {
      // Only a failed start comes here without an exit.
      if (c.pid !== undefined || child !== c) return;
      child = undefined;
      waiter?.({ exit: `cannot run ${file}: ${e.code ?? e.message}`, code: HealthCode.spawn });
    });
    if ((c.stdout as Readable | null) === null || (c.stderr as Readable | null) === null) throw new Error('no pipes to the process (out of file descriptors?)');
    let buf = '';
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (text: string) => {
      buf += text;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = REPLY.exec(line);
        // Duplicates (DUP!) are not a second reply for another turn.
        if (m?.[1] === undefined || m[2] === undefined || line.includes('DUP!')) continue;
        const rttMs = Number(m[2]);
        const reply = { seq: Number(m[1]), rttMs, sentAt: performance.now() - rttMs };
        if (waiter !== undefined) waiter(reply);
        else if (replies.push(reply) > 8) replies.shift();
      }
    });
    c.stderr.setEncoding('utf8');
    c.stderr.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-500);
    });
    c.on('exit', (code, sig) => {
      if (child !== c) return;
      child = undefined;
      const last = stderrTail.trim().split('\n').pop()?.trim() ?? '';
      if (/minimal interval|cannot flood/i.test(last)) fallback = pingProbe(destination, timeoutMs, command);
      const text = last !== '' ? last.replace(/^ping: /, '') : `ping exited (${code ?? sig ?? '?'})`;
      waiter?.({ exit: text, code: /unreachable/i.test(text) ? HealthCode.connect : HealthCode.exit });
    });
  };

  const probe = (signal: AbortSignal): Promise<ProbeResult> => {
    const t0 = performance.now();
    if (signal.aborted) return Promise.resolve(fail(HealthCode.aborted, 0, 'stopped'));
    if (fallback !== undefined) return fallback(signal);
    if (child !== undefined && realign) kill();
    // This run's echo was sent no earlier than half an interval before it
    // started; older replies belong to turns that were already judged.
    const opens = t0 - earlyMs;
    replies = replies.filter((r) => r.sentAt >= opens);
    const queued = replies.shift();
    if (queued !== undefined) return Promise.resolve(judge(queued, t0));
    if (child === undefined) {
      const err = start();
      if (err !== undefined) return Promise.resolve(fail(HealthCode.spawn, 0, `cannot run ping: ${err}`));
    }
    return withDeadline(signal, timeoutMs, ({ finish, elapsed }) => {
      waiter = (r) => {
        if ('exit' in r) finish(fail(r.code, elapsed(), r.exit));
        else if (r.sentAt >= opens) finish(judge(r, t0));
        // else: a late reply to an earlier turn's echo; dropped.
      };
      return {
        onTimeout: () => {
          realign = true;
          return fail(HealthCode.timeout, elapsed(), `no reply within ${Math.round(timeoutMs)} ms`);
        },
        close: () => {
          waiter = undefined;
        },
      };
    });
  };

  function judge(r: Reply, t0: number): ProbeResult {
    if (Math.abs(r.sentAt - t0) > realignMs) realign = true;
    if (r.rttMs > timeoutMs) return fail(HealthCode.timeout, roundMs(r.rttMs), `reply after ${r.rttMs} ms (timeout ${Math.round(timeoutMs)} ms)`);
    return pass(r.rttMs);
  }

  return Object.assign(probe, { close: kill });
}

function describeSpawnError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

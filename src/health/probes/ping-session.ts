// ping with one long-lived process per check: `ping -n -i EVERY DEST` sends
// one echo per interval and each probe takes the next reply. Much cheaper
// than a process per run at sub-second intervals. The process starts at a
// probe (so its sends line up with the check's turns) and is restarted every
// REALIGN_AFTER replies, so ping's own clock cannot drift away from the
// check's grid; it is killed when the check stops.
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { HealthCode, fail, pass, roundMs } from '../result.js';
import type { Probe, ProbeResult } from '../result.js';
import { DEFAULT_PING_COMMAND, pingProbe } from './ping.js';

/** A probe that owns a process: close() ends it. */
export type ClosableProbe = Probe & { close(): void };

/** Replies after which the process is restarted at the next probe, to realign with the check's grid. */
export const REALIGN_AFTER = 120;

export function pingSessionArgv(destination: string, everyMs: number, command: readonly string[] = DEFAULT_PING_COMMAND): string[] {
  return [...command, ...(isIPv6(destination) ? ['-6'] : []), '-n', '-i', String(everyMs / 1000), destination];
}

interface Reply {
  readonly seq: number;
  readonly rttMs: number;
  readonly at: number;
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
  let seen = 0;
  let stderrTail = '';
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
    seen = 0;
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
        const reply = { seq: Number(m[1]), rttMs: Number(m[2]), at: performance.now() };
        seen++;
        if (waiter !== undefined) waiter(reply);
        else replies.push(reply);
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
    if (child !== undefined && seen >= REALIGN_AFTER && replies.length === 0) kill();
    // Replies that arrived too long ago belong to turns that already failed.
    replies = replies.filter((r) => t0 - r.at <= everyMs + timeoutMs);
    const queued = replies.shift();
    if (queued !== undefined) return Promise.resolve(judge(queued));
    if (child === undefined) {
      const err = start();
      if (err !== undefined) return Promise.resolve(fail(HealthCode.spawn, 0, `cannot run ping: ${err}`));
    }
    return new Promise<ProbeResult>((resolve) => {
      const finish = (r: ProbeResult): void => {
        clearTimeout(timer);
        waiter = undefined;
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = (): void => finish(fail(HealthCode.aborted, roundMs(performance.now() - t0), 'stopped'));
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => finish(fail(HealthCode.timeout, roundMs(performance.now() - t0), `no reply within ${Math.round(timeoutMs)} ms`)), timeoutMs);
      waiter = (r) => {
        if ('exit' in r) finish(fail(r.code, roundMs(performance.now() - t0), r.exit));
        else finish(judge(r));
      };
    });
  };

  function judge(r: Reply): ProbeResult {
    if (r.rttMs > timeoutMs) return fail(HealthCode.timeout, roundMs(r.rttMs), `reply after ${r.rttMs} ms (timeout ${Math.round(timeoutMs)} ms)`);
    return pass(r.rttMs);
  }

  return Object.assign(probe, { close: kill });
}

function describeSpawnError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

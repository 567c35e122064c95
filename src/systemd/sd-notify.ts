// The sd_notify protocol without native code. A notification is one datagram
// of KEY=VALUE lines on the unix socket that NOTIFY_SOCKET names (in the
// abstract namespace when it starts with "@"), and Node has no unix datagram
// sockets. So each message is sent by systemd's own `systemd-notify` (the
// systemd package: wherever systemd sets NOTIFY_SOCKET, it is there), started
// with the message's lines as its arguments. Since systemd 246 it waits until
// the service manager has taken the message (sd_notify_barrier), so systemd
// can attribute it to the unit although the sender is a short-lived child of
// the daemon, not its main process: the unit needs NotifyAccess=all.
//
// Messages go out one at a time, in the order they were given. While one is
// being sent, a plain one (only WATCHDOG=1 and STATUS=) given after another
// plain one that still waits is merged into it, so a slow service manager
// never piles up processes.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { firstTrusted } from '../config/permissions.js';
import type { Logger } from '../log/logger.js';

/** What systemd told this process through its environment. */
export interface NotifyEnv {
  /** NOTIFY_SOCKET: a path, or "@name" in the abstract namespace. */
  readonly socket: string;
  /** WATCHDOG_USEC in ms, when it is meant for this process (WATCHDOG_PID unset or ours). */
  readonly watchdogMs?: number;
  /** Why WATCHDOG_USEC, though set, is not used. */
  readonly watchdogIgnored?: string;
}

const NOTIFY_VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

/**
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, and removes all three
 * from `env` (as sd_notify's `unset_environment` does): hooks, command checks
 * and ping never see them, so no child can notify systemd by accident.
 * Undefined when NOTIFY_SOCKET is unset or empty.
 */
export function takeNotifyEnv(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): NotifyEnv | undefined {
  const [socket, usec, wpid] = NOTIFY_VARIABLES.map((k) => env[k]);
  for (const k of NOTIFY_VARIABLES) delete env[k];
  if (socket === undefined || socket === '') return undefined;
  if (usec === undefined || usec === '') return { socket };
  const n = /^[0-9]{1,15}$/.test(usec) ? Number(usec) : 0;
  if (n <= 0) return { socket, watchdogIgnored: `WATCHDOG_USEC=${JSON.stringify(usec)} is not a positive number of microseconds` };
  if (wpid !== undefined && wpid !== '' && wpid !== String(pid)) return { socket, watchdogIgnored: `WATCHDOG_PID=${wpid} is not this process (${pid})` };
  return { socket, watchdogMs: n / 1000 };
}

/** Where systemd-notify is looked for: fixed paths, never PATH (as for setpriv). */
export const SYSTEMD_NOTIFY_PATHS: readonly string[] = ['/usr/bin/systemd-notify', '/bin/systemd-notify'];

/** The first of `paths` that exists and passes the trust rule (root-owned, not writable by others), or why none does. */
export function findSystemdNotify(paths: readonly string[] = SYSTEMD_NOTIFY_PATHS): { path: string } | { problem: string } {
  const found = firstTrusted(paths);
  if ('path' in found) return found;
  return { problem: found.problems.length > 0 ? `no trusted systemd-notify (${found.problems.join('; ')})` : `systemd-notify is not installed (looked for ${paths.join(', ')})` };
}

/** Where messages go: `send` queues one (KEY=VALUE lines). */
export interface NotifySink {
  send(fields: readonly string[]): void;
  /** Resolves once every queued message is sent, or after `ms`; then stops (a send still running is killed). */
  close(ms: number): Promise<void>;
}

const PLAIN = /^(WATCHDOG=1|STATUS=.*)$/s;
const isPlain = (fields: readonly string[]): boolean => fields.every((f) => PLAIN.test(f));

/** Merges plain message `b` into plain message `a`: WATCHDOG=1 once, the newer STATUS. */
function merge(a: string[], b: readonly string[]): void {
  for (const f of b) {
    const key = f.slice(0, f.indexOf('='));
    const i = a.findIndex((x) => x.startsWith(`${key}=`));
    if (i < 0) a.push(f);
    else a[i] = f;
  }
}

export interface SystemdNotifyOptions {
  readonly socket: string;
  /** The systemd-notify to run (findSystemdNotify). */
  readonly program: string;
  readonly log: Logger;
  /** How long one systemd-notify may take before it is killed (it waits up to 5 s for systemd itself). Default 10 s. */
  readonly timeoutMs?: number;
}

/** Sends messages with systemd-notify, one process per message (see the top of this file). */
export class SystemdNotify implements NotifySink {
  private readonly queue: string[][] = [];
  private running: ChildProcess | undefined;
  private closed = false;
  private failing = false;
  private readonly drained = new Set<() => void>();

  constructor(private readonly o: SystemdNotifyOptions) {}

  send(fields: readonly string[]): void {
    if (this.closed || fields.length === 0) return;
    const last = this.queue.at(-1);
    if (last !== undefined && isPlain(last) && isPlain(fields)) merge(last, fields);
    else this.queue.push([...fields]);
    this.next();
  }

  async close(ms: number): Promise<void> {
    if (this.running !== undefined || this.queue.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      let done: (() => void) | undefined;
      await new Promise<void>((ok) => {
        done = ok;
        this.drained.add(ok);
        timer = setTimeout(ok, ms);
      });
      clearTimeout(timer);
      if (done !== undefined) this.drained.delete(done);
    }
    this.closed = true;
    this.queue.length = 0;
    this.running?.kill('SIGKILL');
  }

  private next(): void {
    if (this.running !== undefined) return;
    const fields = this.queue.shift();
    if (fields === undefined) {
      for (const ok of this.drained) ok();
      return;
    }
    const { program } = this.o;
    let child: ChildProcess;
    try {
      // Only NOTIFY_SOCKET: nothing else of the daemon's environment is needed.
      child = spawn(program, fields, { env: { NOTIFY_SOCKET: this.o.socket }, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      this.report(fields, `cannot run ${program}: ${(e as Error).message}`);
      setImmediate(() => this.next());
      return;
    }
    this.running = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      if (stderr.length < 1000) stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), this.o.timeoutMs ?? 10_000);
    let finished = false;
    const finish = (problem: string | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.running = undefined;
      this.report(fields, problem);
      this.next();
    };
    child.once('error', (e: NodeJS.ErrnoException) => finish(`cannot run ${program}: ${e.code ?? e.message}`));
    child.once('close', (code, signal) =>
      finish(code === 0 ? undefined : `${program} ${signal !== null ? `was killed (${signal})` : `exited with status ${String(code)}`}${stderr.trim() !== '' ? `: ${stderr.trim()}` : ''}`),
    );
  }

  /** A failure is logged once, until a message goes through again. */
  private report(fields: readonly string[], problem: string | undefined): void {
    if (problem === undefined) {
      if (this.failing) this.o.log.info({ notifySocket: this.o.socket }, 'systemd notifications go through again');
      this.failing = false;
      return;
    }
    if (!this.failing) this.o.log.warn({ code: 'NOTIFY_FAILED', notifySocket: this.o.socket, message: fields.join(' ') }, `systemd notification not sent: ${problem}`);
    this.failing = true;
  }
}

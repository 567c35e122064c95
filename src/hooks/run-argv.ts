// Runs one argv (no shell) in its own process group with a hard timeout.
// Shared by health-check probes, check hooks and route hooks. At the
// timeout, or when `signal` fires, the whole group is killed, so a command
// that forks children cannot leave them behind. What the child gets from the
// daemon (program, environment, capabilities) is decided in child.ts.
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { timerDelay } from '../timers.js';
import { launchChild, type ChildLaunch } from './child.js';
import type { ChildInherit } from '../config/model.js';

export interface RunArgvOptions {
  /** Variables added to (and overriding) the child's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * What the child inherits beyond the default (child.ts): the daemon's AWS_*
   * variables, its ambient capabilities. Default: neither.
   */
  readonly inherit?: ChildInherit;
  /**
   * ping only: the daemon's whole environment and its ambient CAP_NET_RAW,
   * and the program is not judged. Everything the config names (hooks,
   * command checks) runs without it.
   */
  readonly privileged?: boolean;
  /** Hard limit on the run, in milliseconds. */
  readonly timeoutMs: number;
  /** Stops the run early: the process group is killed, `aborted` is set. */
  readonly signal?: AbortSignal;
  /**
   * At the timeout, send SIGTERM to the group first and SIGKILL only after
   * this many milliseconds. 0 (the default) kills at once.
   */
  readonly killGraceMs?: number;
  /** Once the command itself has exited, kill whatever it left in its process group (probes want this). */
  readonly reapGroup?: boolean;
  /** How many bytes of the end of stdout and stderr to keep. Default 4096. */
  readonly tailBytes?: number;
  readonly cwd?: string;
}

/** A run's outcome in one word, for metrics: ok, failed, timeout, aborted or spawn_error. */
export function runOutcome(r: RunArgvResult): 'ok' | 'failed' | 'timeout' | 'aborted' | 'spawn_error' {
  if (r.spawnError !== undefined) return 'spawn_error';
  if (r.timedOut) return 'timeout';
  if (r.aborted) return 'aborted';
  return r.exitCode === 0 ? 'ok' : 'failed';
}

export interface RunArgvResult {
  /** The exit status, or null when the process was ended by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The timeout fired and the group was killed. */
  readonly timedOut: boolean;
  /** `signal` fired and the group was killed. */
  readonly aborted: boolean;
  /** Why the process could not be started (`ENOENT`, `EACCES`, `UNSAFE_PROGRAM`, `NO_SETPRIV`, ...). */
  readonly spawnError?: string;
  /** For a refusal of ours (`UNSAFE_PROGRAM`, `NO_SETPRIV`), what was refused and why. */
  readonly spawnDetail?: string;
  readonly durationMs: number;
  readonly stdoutTail: string;
  readonly stderrTail: string;
}

class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.max && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

/** How long to wait for the pipes to close after the command exits before giving up on them. */
const DRAIN_MS = 100;

export function runArgv(argv: readonly string[], opts: RunArgvOptions): Promise<RunArgvResult> {
  const t0 = performance.now();
  const tailBytes = opts.tailBytes ?? 4096;
  const out = new Tail(tailBytes);
  const err = new Tail(tailBytes);
  const [file, ...args] = argv;
  const result = (r: Partial<RunArgvResult>): RunArgvResult => ({
    exitCode: null,
    signal: null,
    timedOut: false,
    aborted: false,
    ...r,
    durationMs: performance.now() - t0,
    stdoutTail: out.text(),
    stderrTail: err.text(),
  });
  if (file === undefined || file === '') return Promise.resolve(result({ spawnError: 'EMPTY_ARGV' }));
  if (opts.signal?.aborted === true) return Promise.resolve(result({ aborted: true }));

  let launch: ChildLaunch;
  try {
    launch =
      opts.privileged === true
        ? { file, args, env: { ...process.env, ...opts.env } as Record<string, string> }
        : launchChild(argv, { ...(opts.env !== undefined ? { env: opts.env } : {}), ...(opts.inherit !== undefined ? { inherit: opts.inherit } : {}), ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
  } catch (e) {
    // Looking the program up can throw (the working directory removed: process.cwd() fails); a hook
    // never rejects.
    return Promise.resolve(result({ spawnError: errorCode(e) }));
  }
  if ('error' in launch) return Promise.resolve(result({ spawnError: launch.error, ...(launch.detail !== undefined ? { spawnDetail: launch.detail } : {}) }));

  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    // spawn throws for some failures (a NUL byte in an argument: ERR_INVALID_ARG_VALUE; E2BIG); they
    // are reported like the ones it emits as 'error' (ENOENT, EACCES), never as a rejection.
    child = spawn(launch.file, launch.args, {
      detached: true, // its own process group, so the whole group can be killed
      stdio: ['ignore', 'pipe', 'pipe'],
      env: launch.env,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
  } catch (e) {
    return Promise.resolve(result({ spawnError: errorCode(e) }));
  }
  // Under EMFILE node returns a child without pipes and emits 'error' a tick later.
  if ((child.stdout as Readable | null) === null || (child.stderr as Readable | null) === null) {
    const c = child;
    return new Promise((resolve) => {
      // (If no error event comes, say so anyway.)
      const t = setTimeout(() => resolve(result({ spawnError: 'NO_PIPES' })), DRAIN_MS);
      c.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(t);
        resolve(result({ spawnError: e.code ?? e.message }));
      });
      killGroup(c.pid, 'SIGKILL');
    });
  }
  const started = child;

  return new Promise((resolve) => {
    const child = started;
    let settled = false;
    let timedOut = false;
    let aborted = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const finish = (r: Partial<RunArgvResult>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // After a timeout, the group gets its SIGKILL at the end of the grace whatever the leader did:
      // a leader that dies on SIGTERM must not save a member that ignores it.
      if (!timedOut) clearTimeout(killTimer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(result({ timedOut, aborted, ...r }));
    };
    const done = (): void =>
      finish({ exitCode: exited?.code ?? null, signal: exited?.signal ?? null });

    const timer = setTimeout(() => {
      timedOut = true;
      const grace = opts.killGraceMs ?? 0;
      if (grace > 0 && exited === undefined) {
        killGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timerDelay(grace));
      } else {
        killGroup(child.pid, 'SIGKILL');
      }
      // The leader may have exited already while a member holds the pipes open.
      if (exited !== undefined) done();
    }, timerDelay(opts.timeoutMs));

    const onAbort = (): void => {
      aborted = true;
      killGroup(child.pid, 'SIGKILL');
      if (exited !== undefined) done();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Spawn failures come here without an 'exit'; after a start, errors are kill failures we ignore.
      if (child.pid === undefined) finish({ spawnError: e.code ?? e.message });
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      if (opts.reapGroup === true) killGroup(child.pid, 'SIGKILL');
      // Give the pipes a moment to deliver what is left; a grandchild holding them must not stall us.
      drainTimer = setTimeout(done, DRAIN_MS);
    });
    child.on('close', done);
  });
}

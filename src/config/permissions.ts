// Hooks in the config run commands as the daemon's user (often root), so a
// config that another user can change — by writing the file, or by swapping
// it or a directory above it — is a privilege escalation. The rule is the
// one sshd (StrictModes) and sudo apply: the file and every directory above
// it are owned by root or by the daemon's user, and none is writable by group
// or others; a directory writable by others is accepted only with the sticky
// bit (like /tmp) and an entry under it that root or we own, which nobody
// else can then rename or remove. A symlink is followed, and its target
// judged the same way (and the directories the link itself lives in).
// The same judge applies to every file the config makes the daemon trust: the
// CA files of TLS checks (certPath) and the programs of hooks and command
// checks (argv[0], found on PATH as execvp would).
import { accessSync, closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

const trustedOwner = (st: Stats): boolean => st.uid === 0 || st.uid === process.getuid?.();

/** Why the directories above `path` (not `path` itself) cannot be trusted, or undefined. */
function parentProblem(path: string): string | undefined {
  let child = resolve(path);
  for (let dir = dirname(child); ; dir = dirname(dir)) {
    const st = lstatSync(dir);
    if (!trustedOwner(st)) return `directory ${dir} is owned by uid ${st.uid}, not by root or by this user`;
    if ((st.mode & 0o022) !== 0) {
      const sticky = (st.mode & 0o1000) !== 0; // S_ISVTX
      // With the sticky bit, others may add entries but not rename or remove ours.
      if (!sticky || !trustedOwner(lstatSync(child))) return `directory ${dir} is writable by group or others (mode ${octal(st.mode)})`;
    }
    if (dir === dirname(dir)) return undefined;
    child = dir;
  }
}

/** Why the file itself cannot be trusted (owner, write bits, kind), or undefined. */
function fileProblem(st: Stats): string | undefined {
  if (!st.isFile()) return 'not a regular file';
  if (!trustedOwner(st)) return `owned by uid ${st.uid}, not by root or by this user`;
  if ((st.mode & 0o022) !== 0) return `writable by group or others (mode ${octal(st.mode)})`;
  return undefined;
}

/** The judged file: why it cannot be trusted (if so), the file a symlink leads to, and its stats. */
function judge(file: string): { problem: string | undefined; target: string; stat: Stats } {
  const isLink = lstatSync(file).isSymbolicLink();
  // Directories are judged on their real paths (a parent such as /var/run may itself be a symlink).
  const target = realpathSync(file);
  const stat = lstatSync(target);
  const viaLink = isLink ? parentProblem(join(realpathSync(dirname(file)), basename(file))) : undefined;
  if (viaLink !== undefined) return { problem: `${viaLink} (on the way to the symlink ${file})`, target, stat };
  const ofFile = fileProblem(stat);
  return { problem: parentProblem(target) ?? (ofFile !== undefined ? `${target}: ${ofFile}` : undefined), target, stat };
}

/**
 * Why a file (the config, a CA file, a program) cannot be trusted, or
 * undefined when it can. Throws the file system's error when it cannot be
 * looked at (missing, permission denied): callers report those.
 */
export function trustProblem(file: string): string | undefined {
  return judge(file).problem;
}

/** trustProblem for a file about to be used: one that cannot be looked at is not trusted either. */
export function trustProblemOrUnreadable(file: string): string | undefined {
  try {
    return trustProblem(file);
  } catch (e) {
    return `cannot be checked (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
}

/**
 * The first of `paths` (fixed places of a helper program such as setpriv or
 * systemd-notify, never PATH) that exists and is trusted; else why each one
 * that exists is not (empty when none exists).
 */
export function firstTrusted(paths: readonly string[]): { path: string } | { problems: string[] } {
  const problems: string[] = [];
  for (const p of paths) {
    try {
      lstatSync(p);
    } catch {
      continue;
    }
    const why = trustProblemOrUnreadable(p);
    if (why === undefined) return { path: p };
    problems.push(`${p}: ${why}`);
  }
  return { problems };
}

/** Reads an open file, never more than `maxBytes` (a pipe or /proc file reports size 0); undefined when it holds more. */
export function readUpTo(fd: number, maxBytes: number): string | undefined {
  if (fstatSync(fd).size > maxBytes) return undefined;
  const buf = Buffer.alloc(maxBytes + 1);
  let n = 0;
  for (let r = -1; r !== 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
  return n > maxBytes ? undefined : buf.subarray(0, n).toString('utf8');
}

/**
 * A file read the careful way (readJudged): its text, with why it cannot be
 * trusted when the caller only warns; or why it was not read.
 */
export type JudgedRead =
  | { readonly text: string; readonly untrusted?: string }
  | { readonly refused: string }
  | { readonly notFile: string }
  | { readonly tooLarge: true };

/**
 * Reads a file the config makes the daemon trust, without a window between
 * the check and the read: the path is judged, then the resolved file is opened
 * without following a symlink and without blocking (a FIFO swapped in cannot
 * hang the open), and the opened descriptor itself is checked (a regular file,
 * the file judged, owner and mode) before a byte is read. Anything but a
 * regular file (a FIFO, /dev/zero, a directory) is `notFile`, never read.
 * With `refuse`, an untrusted file is not read (`refused`); without, it is
 * read and the reason comes back beside the text (`validate` warns with it).
 * Throws the file system's error when the file cannot be looked at or opened.
 */
export function readJudged(file: string, maxBytes: number, refuse: boolean): JudgedRead {
  const judged = judge(file);
  const { target } = judged;
  if (!judged.stat.isFile()) return { notFile: `${target}: not a regular file` };
  if (refuse && judged.problem !== undefined) return { refused: judged.problem };
  const fd = openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.dev !== judged.stat.dev || st.ino !== judged.stat.ino) return { refused: `${target} changed while it was being checked` };
    if (!st.isFile()) return { notFile: `${target}: not a regular file` };
    const ofFd = fileProblem(st);
    const untrusted = judged.problem ?? (ofFd !== undefined ? `${target}: ${ofFd}` : undefined);
    if (refuse && untrusted !== undefined) return { refused: untrusted };
    const text = readUpTo(fd, maxBytes);
    if (text === undefined) return { tooLarge: true };
    return untrusted !== undefined ? { text, untrusted } : { text };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a trusted file (the config for run, plan, check and a reload):
 * readJudged with `refuse`. Returns the text, `{ untrusted }` with the reason
 * (anything but a regular file included), or `{ tooLarge }` past `maxBytes`.
 */
export function readTrusted(file: string, maxBytes: number): { text: string } | { untrusted: string } | { tooLarge: true } {
  const r = readJudged(file, maxBytes, true);
  if ('refused' in r) return { untrusted: r.refused };
  if ('notFile' in r) return { untrusted: r.notFile };
  if ('tooLarge' in r) return r;
  return { text: r.text };
}

/** Where a program is looked for when PATH is not set (glibc's execvp default). */
export const DEFAULT_PATH = '/bin:/usr/bin';

/**
 * The file `name` (argv[0]) runs, found as execvp finds it: a name with a
 * slash is a path (relative to `cwd`); a bare name is looked for in each
 * directory of `pathVar` in turn (an empty entry is `cwd`), and the first
 * regular file we may execute wins. The path returned is the one found (a
 * symlink is kept: a multi-call program reads its name from it), not its
 * target; `trustProblem` judges both. ENOENT when there is none, EACCES when
 * only files we may not execute were found.
 */
export function findProgram(name: string, pathVar: string | undefined, cwd: string): { path: string } | { errno: 'ENOENT' | 'EACCES' } {
  if (name === '') return { errno: 'ENOENT' };
  const runnable = (path: string): 'yes' | 'denied' | 'absent' => {
    try {
      if (!statSync(path).isFile()) return 'denied';
    } catch {
      return 'absent';
    }
    try {
      accessSync(path, constants.X_OK);
      return 'yes';
    } catch {
      return 'denied';
    }
  };
  if (name.includes('/')) {
    const path = resolve(cwd, name);
    const r = runnable(path);
    return r === 'yes' ? { path } : { errno: r === 'denied' ? 'EACCES' : 'ENOENT' };
  }
  let denied = false;
  for (const dir of (pathVar ?? DEFAULT_PATH).split(':')) {
    const path = resolve(cwd, dir, name);
    const r = runnable(path);
    if (r === 'yes') return { path };
    if (r === 'denied') denied = true;
  }
  return { errno: denied ? 'EACCES' : 'ENOENT' };
}

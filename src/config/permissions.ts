// Hooks in the config run commands as the daemon's user (often root), so a
// config that another user can change — by writing the file, or by swapping
// it or a directory above it — is a privilege escalation. The rule is the
// one sshd (StrictModes) and sudo apply: the file and every directory above
// it are owned by root or by the daemon's user, and none is writable by group
// or others; a directory writable by others is accepted only with the sticky
// bit (like /tmp) and an entry under it that root or we own, which nobody
// else can then rename or remove. A symlink is followed, and its target
// judged the same way (and the directories the link itself lives in).
import { closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync, constants } from 'node:fs';
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
 * Why the config file cannot be trusted to run commands, or undefined when it
 * can. Throws the file system's error when it cannot be looked at (missing,
 * permission denied): the loader reports those.
 */
export function trustProblem(file: string): string | undefined {
  return judge(file).problem;
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
 * Reads a trusted file without a window between the check and the read: the
 * path is judged (trustProblem), then the resolved file is opened without
 * following a symlink, and the opened descriptor itself is checked (owner,
 * mode, that it is the file judged) before a byte is read. Returns the text,
 * `{ untrusted }` with the reason, or `{ tooLarge }` past `maxBytes`.
 */
export function readTrusted(file: string, maxBytes: number): { text: string } | { untrusted: string } | { tooLarge: true } {
  const judged = judge(file);
  if (judged.problem !== undefined) return { untrusted: judged.problem };
  const { target } = judged;
  const fd = openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (st.dev !== judged.stat.dev || st.ino !== judged.stat.ino) return { untrusted: `${target} changed while it was being checked` };
    const problem = fileProblem(st);
    if (problem !== undefined) return { untrusted: `${target}: ${problem}` };
    const text = readUpTo(fd, maxBytes);
    return text === undefined ? { tooLarge: true } : { text };
  } finally {
    closeSync(fd);
  }
}

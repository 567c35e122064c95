// The files a config makes the daemon trust besides itself: the CA files of
// TLS checks (certPath) and the programs of hooks and command checks. Each is
// judged by the rule the config file is judged by (permissions.ts): whoever
// can change one chooses which servers a check trusts, or what runs as the
// daemon's user. The loader refuses an untrusted one for run, plan, check and
// a reload, and validate warns about it. A CA file must also be a regular
// file (a FIFO would hang the load, /dev/zero fill the memory).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROUTE_HOOKS } from './model.js';
import { readJudged, findProgram, trustProblem, trustProblemOrUnreadable } from './permissions.js';
import type { PathSegment } from './problems.js';

/** Bytes in a CA file (1 MiB); Debian's whole CA bundle is about 220 KB. */
export const MAX_CERT_BYTES = 1024 * 1024;

const FIX = 'Fix: the file and every directory above it owned by root (or the daemon\'s user) and not writable by group or others (chmod go-w)';

/**
 * A certPath read: its text (`unsafe` says why it cannot be trusted, when the
 * caller only warns), `unsafe` alone when it was refused unread, or why it
 * could not be read at all.
 */
export type CertRead = { readonly pem: string; readonly unsafe?: string } | { readonly unsafe: string } | { readonly error: string };

const unsafe = (why: string): string => `${why}; another user could change which certificates this check trusts, so run, plan and check refuse it. ${FIX}`;

/** Reads a certPath (the schema does, as it loads the config); `refuse`: an untrusted file is not read. */
export function readCertFile(path: string, refuse: boolean): CertRead {
  let r;
  try {
    r = readJudged(path, MAX_CERT_BYTES, refuse);
  } catch (e) {
    return { error: `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if ('notFile' in r) return { error: `certPath must name a regular file (${r.notFile})` };
  if ('tooLarge' in r) return { error: `${path} is larger than ${MAX_CERT_BYTES} bytes; a CA file is a few KiB` };
  if ('refused' in r) return { unsafe: unsafe(r.refused) };
  return r.untrusted !== undefined ? { pem: r.text, unsafe: unsafe(r.untrusted) } : { pem: r.text };
}

/** A program the config names (argv[0] of a hook, the command of a command check) and where. */
export interface ProgramRef {
  readonly path: readonly PathSegment[];
  readonly program: string;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every program the (raw, possibly invalid) document names; shapes that are wrong are skipped (the schema reports them). */
export function programRefs(raw: Raw): ProgramRef[] {
  const refs: ProgramRef[] = [];
  const argv0 = (v: unknown, path: PathSegment[]): void => {
    if (Array.isArray(v) && typeof v[0] === 'string') refs.push({ path: [...path, 0], program: v[0] });
  };
  for (const section of ['healthchecks', 'remote_healthchecks']) {
    const checks = raw[section];
    if (!isObj(checks)) continue;
    for (const [name, c] of Object.entries(checks)) {
      if (!isObj(c)) continue;
      for (const hook of ['run_on_healthy', 'run_on_unhealthy']) argv0(c[hook], [section, name, hook]);
      if (c.type === 'command' && isObj(c.config) && typeof c.config.command === 'string')
        refs.push({ path: [section, name, 'config', 'command'], program: c.config.command });
    }
  }
  for (const key of ['routetables', 'route_tables']) {
    const tables = raw[key];
    if (!isObj(tables)) continue;
    for (const [name, t] of Object.entries(tables)) {
      if (!isObj(t) || !Array.isArray(t.manage_routes)) continue;
      t.manage_routes.forEach((r: unknown, i: number) => {
        if (isObj(r)) for (const hook of ROUTE_HOOKS) argv0(r[hook], [key, name, 'manage_routes', i, hook]);
      });
    }
  }
  return refs;
}

/**
 * Why the program `name` would be refused when run (src/hooks/child.ts judges
 * it again at every start), or undefined. A program that is not found, or
 * whose name holds a placeholder, is judged only when it runs.
 */
export function programProblem(name: string, pathVar: string | undefined = process.env.PATH, cwd: string = process.cwd()): string | undefined {
  if (name.includes('${')) return undefined;
  const found = findProgram(name, pathVar, cwd);
  if ('errno' in found) return undefined;
  const why = trustProblemOrUnreadable(found.path);
  if (why === undefined) return undefined;
  return `program ${found.path}: ${why}; another user could change what runs as the daemon's user, so run, plan and check refuse it. ${FIX}`;
}

/** Every certPath of a tcp or https check in the (raw, possibly invalid) document, resolved from `baseDir`. */
function certPathRefs(raw: Raw, baseDir: string): { readonly path: readonly PathSegment[]; readonly file: string }[] {
  const refs: { path: PathSegment[]; file: string }[] = [];
  for (const section of ['healthchecks', 'remote_healthchecks']) {
    const checks = raw[section];
    if (!isObj(checks)) continue;
    for (const [name, c] of Object.entries(checks)) {
      if (isObj(c) && (c.type === 'tcp' || c.type === 'https') && isObj(c.config) && typeof c.config.certPath === 'string')
        refs.push({ path: [section, name, 'config', 'certPath'], file: resolve(baseDir, c.config.certPath) });
    }
  }
  return refs;
}

/**
 * The named files that another user could change, each with where it is
 * named and why. Programs always; CA files only with `cas` (when the config
 * is trusted, the schema refuses such a CA file as it reads it). A file that
 * cannot be looked at, or is no regular file, is left to the reader.
 */
export function unsafeNamedFiles(raw: unknown, baseDir: string, opts: { readonly cas: boolean }): { readonly path: readonly PathSegment[]; readonly message: string }[] {
  if (!isObj(raw)) return [];
  const out: { path: readonly PathSegment[]; message: string }[] = [];
  for (const ref of programRefs(raw)) {
    const why = programProblem(ref.program);
    if (why !== undefined) out.push({ path: ref.path, message: why });
  }
  if (!opts.cas) return out;
  for (const ref of certPathRefs(raw, baseDir)) {
    let why: string | undefined;
    try {
      why = statSync(ref.file).isFile() ? trustProblem(ref.file) : undefined;
    } catch {
      why = undefined;
    }
    if (why !== undefined) out.push({ path: ref.path, message: unsafe(why) });
  }
  return out;
}

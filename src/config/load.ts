// YAML text -> data with source positions (yaml-document.ts) -> one parse
// with the config schema, whose transforms build the frozen model as they
// validate (schema/). Every problem becomes a ConfigProblem with file, line,
// column and key path; all of them are reported at once, in file order.
import { closeSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type * as z from 'zod';
import { ErrorCode } from './codes.js';
import { LIMITS } from './limits.js';
import type { Locator } from './locate.js';
import type { Config } from './model.js';
import { unsafeNamedFiles } from './named-files.js';
import { readTrusted, readUpTo } from './permissions.js';
import { formatPath, inFileOrder } from './problems.js';
import type { ConfigProblem, PathSegment } from './problems.js';
import { configSchema } from './schema/config-file.js';
import type { IssueParams } from './schema/issues.js';
import { readYaml, tooLarge } from './yaml-document.js';

export type LoadResult =
  /** `warnings`: files the config names that run, plan and check would refuse (CFG_UNSAFE), when loaded untrusted (validate). */
  | { readonly ok: true; readonly config: Config; readonly warnings?: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * The problem a schema issue stands for. Every issue the schema raises is a
 * custom one carrying IssueParams; anything else would be a gap in the
 * schema, still reported (as CFG_VALUE) rather than thrown.
 */
function problemOf(issue: z.core.$ZodIssue, file: string, locator: Locator): ConfigProblem {
  const params = (issue.code === 'custom' ? issue.params : undefined) as IssueParams | undefined;
  const path = issue.path as PathSegment[];
  const { line, col } = locator.find(path, params?.at ?? 'value');
  return { code: params?.code ?? ErrorCode.Value, file, line, col, path: formatPath(path), message: issue.message };
}

// Building the schema costs more than a parse with it (zod compiles each
// mapping on first use); the daemon reloads one file, so keep the last one.
let last: { readonly key: string; readonly schema: ReturnType<typeof configSchema> } | undefined;
function schemaFor(file: string, trusted: boolean): ReturnType<typeof configSchema> {
  const key = `${trusted ? 'trusted' : 'plain'}:${file}`;
  if (last?.key !== key) last = { key, schema: configSchema(file, trusted) };
  return last.schema;
}

/**
 * Validates config text. `file` is used for messages and to resolve relative
 * paths. `trusted` (run, plan, check, a reload): a CA file or program that
 * another user could change is an error (CFG_UNSAFE); otherwise a warning.
 */
export function loadConfigText(text: string, file: string, opts: { readonly trusted?: boolean } = {}): LoadResult {
  const yaml = readYaml(text, file);
  if (!yaml.ok) return yaml;
  const abs = resolve(file);
  const trusted = opts.trusted === true;
  const parsed = schemaFor(abs, trusted).safeParse(yaml.data);
  const unsafe = unsafeNamedFiles(yaml.data, dirname(abs), { cas: !trusted }).map(({ path, message }): ConfigProblem => {
    const { line, col } = yaml.locator.find(path);
    return { code: ErrorCode.Unsafe, file, line, col, path: formatPath(path), message };
  });
  const problems = [...yaml.problems, ...(parsed.success ? [] : parsed.error.issues.map((i) => problemOf(i, file, yaml.locator))), ...(trusted ? unsafe : [])];
  if (problems.length > 0) return { ok: false, problems: inFileOrder(problems) };
  if (!parsed.success) throw new Error('unreachable: a failed parse without issues');
  return { ok: true, config: parsed.data, ...(unsafe.length > 0 && !trusted ? { warnings: inFileOrder(unsafe) } : {}) };
}

/**
 * Loads a config file. A file that cannot be read is a CFG_FILE problem.
 * `trusted`: the file will run commands (run, plan, check, a SIGHUP reload),
 * so it must pass the ownership and permission rule of permissions.ts,
 * checked on the opened file before it is read.
 */
export function loadConfigFile(file: string, opts: { readonly trusted?: boolean } = {}): LoadResult {
  const fileProblem = (code: ErrorCode, message: string): LoadResult => ({ ok: false, problems: [{ code, file, line: 0, col: 0, path: '', message }] });
  let text: string | undefined;
  try {
    if (opts.trusted === true) {
      const r = readTrusted(file, LIMITS.maxBytes);
      if ('untrusted' in r)
        return fileProblem(
          ErrorCode.Unsafe,
          `refusing ${file}: ${r.untrusted}; hooks in it run commands as this user. Fix: the file and every directory above it owned by root (or this user) and not writable by group or others (chmod go-w)`,
        );
      text = 'tooLarge' in r ? undefined : r.text;
    } else {
      text = readCapped(file);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    return fileProblem(ErrorCode.File, `cannot read the config file: ${why}`);
  }
  return text === undefined ? tooLarge(file) : loadConfigText(text, file, opts);
}

/** The file's text, or undefined when it holds more than LIMITS.maxBytes (never read past that). */
function readCapped(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    return readUpTo(fd, LIMITS.maxBytes);
  } finally {
    closeSync(fd);
  }
}

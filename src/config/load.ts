// YAML text -> document with source positions -> schema validation ->
// cross-reference checks -> one conversion into the frozen model.
// Every problem becomes a ConfigProblem with file, line, column and key path;
// all of them are reported at once, sorted by position.
import { X509Certificate } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type * as z from 'zod';
import { readTrusted, readUpTo } from './permissions.js';
import { LIMITS, documentProblems, expandedProblem, flowDepthProblem } from './limits.js';
import { programProblem, programRefs, readCertFile } from './named-files.js';
import { toModel } from './model.js';
import type { Config } from './model.js';
import { CODE_SEP, ErrorCode, MSG_SEP, configFile } from './schema.js';
import { isIp, looseNumber, show, suggest } from './values.js';

export type PathSegment = string | number;

export interface ConfigProblem {
  readonly code: ErrorCode;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** `healthchecks.a.destination`, `routetables.r.manage_routes[0].cidr`. */
  readonly path: string;
  readonly message: string;
}

export type LoadResult =
  /** `warnings`: files the config names that run, plan and check would refuse (CFG_UNSAFE), when loaded untrusted (validate). */
  | { readonly ok: true; readonly config: Config; readonly warnings?: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

// Control characters (a key holding a newline) would break the one-line format.
const oneLine = (s: string, max: number): string => {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return t.length > max ? `${t.slice(0, max - 20)}… (${t.length} characters)` : t;
};

/** `FILE:LINE:COL: key.path: message` — the one format every config error is printed in. */
export function formatProblem(p: ConfigProblem): string {
  const path = oneLine(p.path, 240);
  return `${p.file}:${p.line}:${p.col}: ${path === '' ? '' : `${path}: `}${oneLine(p.message, 480)}`;
}

/**
 * The problems as printed lines: at most `max` (50), then `... and N more`.
 * Every command that prints config problems prints these lines.
 */
export function formatProblems(problems: readonly ConfigProblem[], max: number = LIMITS.maxPrinted): string[] {
  const lines = problems.slice(0, max).map(formatProblem);
  if (problems.length > max) lines.push(`... and ${problems.length - max} more`);
  return lines;
}

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private pos(offset: number): { line: number; col: number } {
    const p = this.lines.linePos(offset);
    return { line: p.line, col: p.col };
  }

  /**
   * Position for a key path. `at: 'key'` points at the key itself (unknown
   * keys); otherwise at the value. A path that does not exist in the file
   * (a missing key) points at the key of its deepest existing parent.
   */
  find(path: readonly PathSegment[], at: 'key' | 'value' = 'value'): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let keyNode: YamlNode | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair === undefined) return this.rangeOf(keyNode ?? (node));
        keyNode = pair.key as YamlNode;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
        keyNode = node as YamlNode;
      } else {
        return this.rangeOf(keyNode ?? (node as YamlNode | undefined));
      }
    }
    if (at === 'key' && keyNode !== undefined) return this.rangeOf(keyNode);
    const valueNode = node as YamlNode | null | undefined;
    // `key:` with nothing after it has an empty value at the end of the line; the key reads better.
    if (valueNode === null || valueNode === undefined || (isScalar(valueNode) && valueNode.value === null))
      return this.rangeOf(keyNode);
    return this.rangeOf(valueNode);
  }

  private rangeOf(node: YamlNode | undefined | null): { line: number; col: number } {
    const start = node?.range?.[0];
    return start === undefined ? { line: 1, col: 1 } : this.pos(start);
  }

}

function decode(message: string, fallback: ErrorCode): { code: ErrorCode; message: string }[] {
  return message.split(MSG_SEP).map((m) => {
    const i = m.indexOf(CODE_SEP);
    return i === -1 ? { code: fallback, message: m } : { code: m.slice(0, i) as ErrorCode, message: m.slice(i + 1) };
  });
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Collector {
  add(code: ErrorCode, path: readonly PathSegment[], message: string, at?: 'key' | 'value'): void;
}

function zodProblems(issues: readonly z.core.$ZodIssue[], out: Collector): void {
  for (const issue of issues) {
    const path = issue.path as PathSegment[];
    if (issue.code === 'unrecognized_keys') {
      const parts = decode(issue.message, ErrorCode.UnknownKey);
      issue.keys.forEach((key, i) => {
        const p = parts[i] ?? parts[0] ?? { code: ErrorCode.UnknownKey, message: `unknown key "${key}"` };
        out.add(p.code, [...path, key], p.message, 'key');
      });
      continue;
    }
    for (const p of decode(issue.message, issue.code === 'invalid_type' ? ErrorCode.Type : ErrorCode.Value)) {
      out.add(p.code, path, p.message);
    }
  }
}

// ---------------------------------------------------------- cross-checks
// These run on the raw data even when the schema found problems, so that one
// run reports everything; they skip whatever has the wrong shape (the schema
// has already said so).

/**
 * `unsafe` receives the files the config names that another user could change
 * (named-files.ts): the errors collector when the config is trusted, the
 * warnings one for validate; `trusted` also keeps such a CA file unread.
 */
function crossCheck(raw: Raw, out: Collector, baseDir: string, certs: Map<string, { pem: string; source: string }>, unsafe: Collector, trusted: boolean): void {
  const local = isObj(raw.healthchecks) ? raw.healthchecks : {};
  const remote = isObj(raw.remote_healthchecks) ? raw.remote_healthchecks : {};

  if (raw.routetables !== undefined && raw.route_tables !== undefined)
    out.add(ErrorCode.Value, ['route_tables'], 'routetables and route_tables are the same setting; use only one', 'key');
  const tablesKey = raw.routetables !== undefined ? 'routetables' : raw.route_tables !== undefined ? 'route_tables' : undefined;
  if (tablesKey === undefined) {
    out.add(ErrorCode.Missing, [], 'routetables is missing (at least one route table is required)');
  } else if (isObj(raw[tablesKey]) && Object.keys(raw[tablesKey]).length === 0) {
    out.add(ErrorCode.Value, [tablesKey], 'must hold at least one route table', 'key');
  }

  for (const [section, checks] of [
    ['healthchecks', local],
    ['remote_healthchecks', remote],
  ] as const) {
    for (const [name, check] of Object.entries(checks)) {
      if (!isObj(check)) continue;
      const every = looseNumber(check.every);
      const timeout = looseNumber(check.timeout);
      if (every !== undefined && timeout !== undefined && every > 0 && timeout > every)
        out.add(ErrorCode.Value, [section, name, 'timeout'], `must not exceed every (${every} s), got ${timeout} s`);
      const config = isObj(check.config) ? check.config : {};
      const tlsType = check.type === 'https' || check.type === 'tcp';
      if (!tlsType) continue;
      if (config.cert !== undefined && config.certPath !== undefined)
        out.add(ErrorCode.Value, [section, name, 'config', 'certPath'], 'set either cert or certPath, not both', 'key');
      let pem: string | undefined;
      let source = 'cert';
      let where: PathSegment[] = [section, name, 'config', 'cert'];
      if (typeof config.cert === 'string') {
        pem = config.cert;
      } else if (typeof config.certPath === 'string') {
        source = resolve(baseDir, config.certPath);
        where = [section, name, 'config', 'certPath'];
        const read = readCertFile(source, trusted);
        if ('error' in read) {
          out.add(ErrorCode.Cert, where, read.error);
          continue;
        }
        if (read.unsafe !== undefined) unsafe.add(ErrorCode.Unsafe, where, read.unsafe);
        if (!('pem' in read)) continue;
        pem = read.pem;
      }
      if (pem === undefined) continue;
      const problem = pemProblem(pem);
      if (problem !== undefined) out.add(ErrorCode.Cert, where, problem);
      else certs.set(`${section}.${name}`, { pem, source });
    }
  }

  for (const ref of programRefs(raw)) {
    const why = programProblem(ref.program);
    if (why !== undefined) unsafe.add(ErrorCode.Unsafe, ref.path, why);
  }

  const status = isObj(raw.status) ? raw.status : {};
  if (typeof status.listen === 'string' && status.allow_non_loopback !== true && status.allow_non_loopback !== 'true') {
    const host = /^\[?([^\]]+?)\]?:\d+$/.exec(status.listen)?.[1] ?? '';
    if (isIp(host) && !/^127\./.test(host) && host !== '::1')
      out.add(ErrorCode.Value, ['status', 'listen'], `${show(status.listen)} is not a loopback address; the status endpoint shows your routes and checks to anyone who can reach it (set allow_non_loopback: true to allow it)`);
  }

  if (tablesKey === undefined || !isObj(raw[tablesKey])) return;
  for (const [tableName, table] of Object.entries(raw[tablesKey])) {
    if (!isObj(table) || !Array.isArray(table.manage_routes)) continue;
    const seen = new Map<string, number>();
    table.manage_routes.forEach((r: unknown, i: number) => {
      if (!isObj(r)) return;
      const at = (...rest: PathSegment[]): PathSegment[] => [tablesKey, tableName, 'manage_routes', i, ...rest];
      const names = typeof r.healthcheck === 'string' ? [r.healthcheck] : Array.isArray(r.healthcheck) ? r.healthcheck : [];
      names.forEach((n: unknown, j: number) => {
        if (typeof n !== 'string' || n in local) return;
        const hint = n in remote ? ' (it is a remote_healthchecks template; use remote_healthcheck)' : didYouMean(n, Object.keys(local));
        out.add(
          ErrorCode.UndefinedRef,
          Array.isArray(r.healthcheck) ? at('healthcheck', j) : at('healthcheck'),
          `route ${tableName} uses healthcheck "${n}" which is not defined${hint}`,
        );
      });
      if (typeof r.remote_healthcheck === 'string' && !(r.remote_healthcheck in remote)) {
        const n = r.remote_healthcheck;
        const hint = n in local ? ' (it is a local check; remote_healthcheck names a remote_healthchecks template)' : didYouMean(n, Object.keys(remote));
        out.add(ErrorCode.UndefinedRef, at('remote_healthcheck'), `route uses remote_healthcheck "${n}" which is not defined${hint}`);
      }
      if (typeof r.cidr === 'string') {
        const key = r.cidr.trim().includes('/') ? r.cidr.trim() : `${r.cidr.trim()}/${r.cidr.includes(':') ? 128 : 32}`;
        const first = seen.get(key);
        if (first !== undefined)
          out.add(ErrorCode.Value, at('cidr'), `${show(r.cidr)} is already managed by manage_routes[${first}] of this table`);
        else seen.set(key, i);
      }
    });
  }
}

function didYouMean(name: string, known: string[]): string {
  const s = suggest(name, known);
  return s !== undefined ? ` (did you mean "${s}"?)` : '';
}

/** undefined when `pem` holds at least one certificate and every block parses. */
export function pemProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'does not hold a PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} of ${blocks.length} does not parse as X.509`;
    }
  }
  return undefined;
}

/**
 * Validates config text. `file` is used for messages and to resolve relative
 * paths. `trusted` (run, plan, check, a reload): a CA file or program that
 * another user could change is an error (CFG_UNSAFE); otherwise a warning.
 */
export function loadConfigText(text: string, file: string, opts: { readonly trusted?: boolean } = {}): LoadResult {
  const absFile = resolve(file);
  const lines = new LineCounter();
  const one = (code: ErrorCode, offset: number, path: readonly PathSegment[], message: string): LoadResult => {
    // Before parsing, `lines` knows no line starts yet: count them up to the offset.
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { ok: false, problems: [{ code, file, line, col: offset - lineStart + 1, path: formatPath(path), message }] };
  };
  if (text.length > LIMITS.maxBytes || Buffer.byteLength(text) > LIMITS.maxBytes) return tooLarge(file);
  const flow = flowDepthProblem(text);
  if (flow !== undefined) return one(ErrorCode.TooDeep, flow.offset, [], flow.message);
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(doc, lines);
  const problems: ConfigProblem[] = [];
  const collect = (into: ConfigProblem[]): Collector => ({
    add(code, path, message, at = 'value') {
      const { line, col } = locator.find(path, at);
      into.push({ code, file, line, col, path: formatPath(path), message });
    },
  });
  const out = collect(problems);
  const warnings: ConfigProblem[] = [];
  // Before syntax errors: the parser reports nesting it could not follow as one.
  const walked = documentProblems(doc, text);
  if (walked.problem?.kind === 'too-deep') return one(ErrorCode.TooDeep, walked.problem.offset, walked.problem.path, walked.problem.message);
  const syntax = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
  if (syntax.length > 0) {
    // Only the first: later syntax errors are usually echoes of it.
    const e = syntax[0]!;
    if (e.code === 'RESOURCE_EXHAUSTION')
      return one(ErrorCode.TooDeep, e.pos[0], [], `nested too deeply for the YAML parser (at most ${LIMITS.maxDepth} levels of mappings and lists)`);
    // Some errors are reported at the end of the line before the culprit;
    // point at the first character of the next non-blank line instead.
    let offset = e.pos[0];
    if (text[offset] === '\n' || text[offset] === '\r') {
      const m = /[\r\n]+[ \t]*/y;
      m.lastIndex = offset;
      if (m.exec(text) !== null && m.lastIndex < text.length) offset = m.lastIndex;
    }
    const { line, col } = lines.linePos(offset);
    const first = e.message.split('\n')[0] ?? e.message;
    const indentation = ['BAD_INDENT', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'MISSING_CHAR'].includes(e.code);
    const message = `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, '')}${indentation ? ' (check the indentation here)' : ''}`;
    return { ok: false, problems: [{ code: ErrorCode.YamlSyntax, file, line, col, path: '', message }] };
  }
  if (walked.problem !== undefined) {
    const p = walked.problem;
    return one(p.kind === 'unknown-alias' ? ErrorCode.UnknownAlias : ErrorCode.AliasCycle, p.offset, p.path, p.message);
  }
  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0]);
    problems.push({ code: ErrorCode.DuplicateKey, file, line, col, path: '', message: 'this key appears twice in the same mapping' });
  }
  // The first alias that copies a collection is where an alias bomb shows itself.
  const bombAt = (): number => {
    const a = walked.aliases.find((x) => isMap(x.target) || isSeq(x.target)) ?? walked.aliases[0];
    return a?.alias.range?.[0] ?? 0;
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (e) {
    // The yaml library's own alias-bomb protection (maxAliasCount) throws.
    if (!(e instanceof ReferenceError) || !/alias/i.test(e.message)) throw e;
    return one(ErrorCode.AliasLimit, bombAt(), [], `aliases here expand the document beyond the limit (an anchor may be used at most ${LIMITS.maxAliasCount} times, counting the aliases nested in it)`);
  }
  if (raw === null || raw === undefined) {
    return { ok: false, problems: [{ code: ErrorCode.Empty, file, line: 1, col: 1, path: '', message: 'the file holds no configuration (empty document)' }] };
  }
  const expanded = expandedProblem(raw);
  if (expanded !== undefined) {
    const { line, col } = locator.find(expanded.path);
    const viaAliases = walked.aliases.length > 0;
    if (expanded.kind === 'too-deep')
      return { ok: false, problems: [{ code: ErrorCode.TooDeep, file, line, col, path: formatPath(expanded.path), message: `nested deeper than ${LIMITS.maxDepth} levels of mappings and lists${viaAliases ? ' once aliases are expanded' : ''}` }] };
    if (viaAliases)
      return one(ErrorCode.AliasLimit, bombAt(), [], `aliases expand the document to more than ${LIMITS.maxValues} values`);
    return { ok: false, problems: [{ code: ErrorCode.TooLarge, file, line, col, path: formatPath(expanded.path), message: `the document holds more than ${LIMITS.maxValues} values` }] };
  }
  const parsed = configFile.safeParse(raw);
  if (!parsed.success) zodProblems(parsed.error.issues, out);
  const certs = new Map<string, { pem: string; source: string }>();
  const trusted = opts.trusted === true;
  if (isObj(raw)) crossCheck(raw, out, dirname(absFile), certs, trusted ? out : collect(warnings), trusted);
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
    return { ok: false, problems: dedupe(problems) };
  }
  return { ok: true, config: toModel(absFile, raw as Raw, certs), ...(warnings.length > 0 ? { warnings } : {}) };
}

function tooLarge(file: string): LoadResult {
  const mib = LIMITS.maxBytes / (1024 * 1024);
  return { ok: false, problems: [{ code: ErrorCode.TooLarge, file, line: 1, col: 1, path: '', message: `the file is larger than ${mib} MiB (${LIMITS.maxBytes} bytes); a config file is a few KiB` }] };
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = formatProblem(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Reads and validates a config file. A file that cannot be read is a CFG_FILE problem. */
/**
 * Loads a config file. `trusted`: the file will run commands (run, plan,
 * check, a SIGHUP reload), so it must pass the ownership and permission rule
 * of permissions.ts, checked on the opened file before it is read.
 */
export function loadConfigFile(file: string, opts: { readonly trusted?: boolean } = {}): LoadResult {
  let text: string;
  try {
    if (opts.trusted === true) {
      const r = readTrusted(file, LIMITS.maxBytes);
      if ('tooLarge' in r) return tooLarge(file);
      if ('untrusted' in r)
        return {
          ok: false,
          problems: [
            {
              code: ErrorCode.Unsafe,
              file,
              line: 0,
              col: 0,
              path: '',
              message: `refusing ${file}: ${r.untrusted}; hooks in it run commands as this user. Fix: the file and every directory above it owned by root (or this user) and not writable by group or others (chmod go-w)`,
            },
          ],
        };
      return loadConfigText(r.text, file, { trusted: true });
    }
    const read = readCapped(file);
    if (read === undefined) return tooLarge(file);
    text = read;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    return { ok: false, problems: [{ code: ErrorCode.File, file, line: 0, col: 0, path: '', message: `cannot read the config file: ${why}` }] };
  }
  return loadConfigText(text, file);
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

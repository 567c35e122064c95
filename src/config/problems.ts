// A config problem and the one format every config problem is printed in:
// `FILE:LINE:COL: key.path: message`.
import type { ErrorCode } from './codes.js';
import { LIMITS } from './limits.js';

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

/** In file order (line, column, then path), each distinct printed line once. */
export function inFileOrder(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
  const seen = new Set<string>();
  return sorted.filter((p) => {
    const k = formatProblem(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

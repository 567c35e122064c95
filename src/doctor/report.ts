// What `awsnycast doctor` reports: one result per check (ok, warn or fail,
// what was seen, and for anything not ok the fix), printed one line per check
// or as JSON for tools. Pure.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable id: `imds`, `iam:ReplaceRoute`, `finder:NAME`, ... */
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** What to do about it; absent when there is nothing to do. */
  readonly fix?: string;
}

export const ok = (id: string, message: string): CheckResult => ({ id, status: 'ok', message });
export const warn = (id: string, message: string, fix?: string): CheckResult => ({ id, status: 'warn', message, ...(fix !== undefined ? { fix } : {}) });
export const fail = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'fail', message, fix });

/** A check that could not run because an earlier one failed (reported as a warn, never silently left out). */
export const skipped = (id: string, why: string): CheckResult => warn(id, `not checked: ${why}`);

/** No check failed (warns are allowed). */
export const passed = (checks: readonly CheckResult[]): boolean => checks.every((c) => c.status !== 'fail');

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** `ok   id: message`, `warn ...`, `FAIL ...`, each not-ok one followed by an indented `fix: ...` line. */
export function renderText(checks: readonly CheckResult[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${LABEL[c.status]} ${c.id}: ${c.message}`);
    if (c.fix !== undefined) lines.push(`     fix: ${c.fix}`);
  }
  const fails = checks.filter((c) => c.status === 'fail').length;
  const warns = checks.filter((c) => c.status === 'warn').length;
  lines.push(fails > 0 ? `${fails} failed, ${warns} warning(s): fix the failures before running the daemon` : `no failures, ${warns} warning(s)`);
  return lines.join('\n') + '\n';
}

export function renderJson(checks: readonly CheckResult[]): string {
  return JSON.stringify({ checks, ok: passed(checks) }, null, 2) + '\n';
}

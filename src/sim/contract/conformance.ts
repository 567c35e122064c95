// Is a request one that AWS's model documents? Checks parameter names against
// the action's wire patterns and filter names against the filters its
// documentation lists, with the same rules the simulator enforces
// (enforce.ts). Used by tests on what the daemon really sends: the daemon's
// traffic is checked against the model itself, not against what the
// simulator happens to accept.
import { EC2_CONTRACT } from './gen/index.js';
import { isDocumentedFilter, patternOf } from './enforce.js';

/** What in a request AWS's model does not document for its action (empty when all is documented). */
export function undocumented(action: string, params: readonly string[], filters: readonly string[]): string[] {
  const c = EC2_CONTRACT.actions[action];
  if (c === undefined) return [`action ${action} (not one the simulator's contract covers)`];
  const problems: string[] = [];
  for (const p of params) {
    if (EC2_CONTRACT.protocolParams.includes(p)) continue;
    if (c.params[patternOf(p)] === undefined) problems.push(`parameter ${p}`);
  }
  for (const f of filters) if (!isDocumentedFilter(action, f)) problems.push(`filter ${f}`);
  for (const e of c.exclusive ?? []) {
    const has = (n: string): boolean => params.some((p) => p === n || p.startsWith(`${n}.`));
    if (has(e.a) && has(e.b)) problems.push(`${e.a} with ${e.b} (${e.documentation})`);
  }
  return problems;
}

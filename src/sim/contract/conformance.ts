// Is a request one that AWS's model documents? Checks parameter names against
// the action's wire patterns and filter names against the filters its
// documentation lists. Used by tests on what the daemon sends.
import { EC2_CONTRACT } from './ec2-contract.gen.js';
import type { ActionContract } from './types.js';

/** `InstanceId.3` matches `InstanceId.N`; `Filter.1.Value.2` matches `Filter.N.Value.N`. */
export function paramPattern(name: string): string {
  return name.replace(/\.\d+(?=\.|$)/g, '.N');
}

/** Whether `name` is a documented filter name: exact, or a placeholder form such as `tag:<key>`. */
export function documentedFilter(contract: ActionContract, name: string): boolean {
  for (const f of contract.filters ?? []) {
    if (f === name) return true;
    const lt = f.indexOf('<');
    if (lt > 0 && f.endsWith('>') && name.startsWith(f.slice(0, lt)) && name.length > lt) return true;
  }
  return false;
}

/** What in a request AWS's model does not document for its action (empty when all is documented). */
export function undocumented(action: string, params: readonly string[], filters: readonly string[]): string[] {
  const c = EC2_CONTRACT.actions[action];
  if (c === undefined) return [`action ${action} (not one the simulator's contract covers)`];
  const problems: string[] = [];
  for (const p of params) {
    if (EC2_CONTRACT.protocolParams.includes(p)) continue;
    if (c.params[paramPattern(p)] === undefined) problems.push(`parameter ${p}`);
  }
  for (const f of filters) if (!documentedFilter(c, f)) problems.push(`filter ${f}`);
  for (const e of c.exclusive ?? []) {
    const has = (n: string): boolean => params.some((p) => p === n || p.startsWith(`${n}.`));
    if (has(e.a) && has(e.b)) problems.push(`${e.a} with ${e.b} (${e.documentation})`);
  }
  return problems;
}

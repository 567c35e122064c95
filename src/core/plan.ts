// The planner: config + what EC2 showed us + the health of every check + who
// we are -> one action per managed (route table, CIDR), each with a reason.
// Pure: no I/O, no clock, no randomness. `plan`, `-noop` and the status page
// all show this value; the daemon applies it. The rules for one route are in
// decide.ts; what happens before a risky action is applied (rank delay,
// re-read, re-plan) in confirm.ts.
import type { Config } from '../config/model.js';
import { decide, holdForUnseenWrite, remoteWatchFor } from './decide.js';
import { findTables } from './finders.js';
import { handoffChoice, rankedPeers } from './handoff.js';
import type { Plan, PlannedAction, PlanProblem } from './reasons.js';
import { describeTarget, isOurs, placeholderValues, routeKey, routeTarget } from './targets.js';
import type { PlanInput, RouteTableView } from './types.js';

export { Reason } from './reasons.js';
export type { ActionKind, CurrentRoute, Plan, PlannedAction, PlanProblem } from './reasons.js';

export function plan(config: Config, input: PlanInput): Plan {
  const values = placeholderValues(input.identity);
  const actions: PlannedAction[] = [];
  const problems: PlanProblem[] = [];
  const claimed = new Map<string, string>();
  // Tables of other VPCs are never acted on unless the config opts in (all_vpcs), whatever the reader returned.
  const pool = config.allVpcs ? input.tables : input.tables.filter((t) => t.vpcId === input.identity.vpcId);
  for (const spec of config.routeTables) {
    const tables: RouteTableView[] = findTables(spec.find, pool, values);
    if (tables.length === 0 && !spec.noResultsOk)
      problems.push({ code: 'PLAN_NO_TABLES', tableName: spec.name, message: `no route table of ${input.identity.vpcId} matches the finder of ${spec.name}` });
    for (const table of tables) {
      for (const route of spec.routes) {
        const key = routeKey(table.id, route.cidr);
        const first = claimed.get(key);
        if (first !== undefined) {
          problems.push({
            code: 'PLAN_CIDR_CLAIMED_TWICE',
            tableName: spec.name,
            message: `${route.cidr} in ${table.id} is managed by both ${first} and ${spec.name}; only ${first} acts on it`,
          });
          continue;
        }
        claimed.set(key, spec.name);
        const existing = table.routes.find((r) => r.destination === route.cidr);
        const d = holdForUnseenWrite(decide(route, existing, input, key, table.id), key, input);
        const watch = route.remoteHealthcheck === undefined ? undefined : (d.watch ?? remoteWatchFor(route, existing, input));
        // Routes that point at us and could be handed off: where they would go now (status), and the peers to judge.
        const ours = (route.peers !== undefined || route.fallback !== undefined) && isOurs(existing, routeTarget(route, input));
        const choice = ours ? handoffChoice(route, table.id, key, input, values) : undefined;
        const peerIps = ours && route.remoteHealthcheck !== undefined ? rankedPeers(route, table.id, key, input, values).flatMap((r) => (r.peer.ip !== undefined ? [r.peer.ip] : [])) : [];
        actions.push({
          routeTableId: table.id,
          tableName: spec.name,
          cidr: route.cidr,
          action: d.action,
          ...(d.action === 'create' || d.action === 'replace' ? { target: d.target ?? routeTarget(route, input).networkInterfaceId } : {}),
          ...(existing !== undefined ? { current: describeTarget(existing) } : {}),
          reason: d.reason,
          detail: d.detail,
          ...(d.retryAfterMs !== undefined ? { retryAfterMs: Math.max(0, Math.ceil(d.retryAfterMs)) } : {}),
          ...(watch !== undefined ? { watch } : {}),
          ...(choice !== undefined ? { handoff: { ...(choice.to !== undefined ? { to: choice.to.kind === 'peer' ? choice.to.instanceId : choice.to.id } : {}), why: choice.why } } : {}),
          ...(peerIps.length > 0 ? { peerIps } : {}),
          route,
        });
      }
    }
  }
  return { actions, problems, remoteTargets: remoteTargets(actions) };
}

/** Remote check template name -> the IPs it must run against: the `watch` (owner) and `peerIps` of every action. */
export function remoteTargets(actions: readonly PlannedAction[]): Record<string, string[]> {
  const remote = new Map<string, Set<string>>();
  for (const a of actions) {
    const name = a.route.remoteHealthcheck;
    const ips = [...(a.watch !== undefined ? [a.watch] : []), ...(a.peerIps ?? [])];
    if (ips.length === 0 || name === undefined) continue;
    const set = remote.get(name) ?? new Set<string>();
    for (const ip of ips) set.add(ip);
    remote.set(name, set);
  }
  return Object.fromEntries([...remote].map(([k, v]) => [k, [...v].sort()]));
}

// doctor's checks of the config against what EC2 shows: which tables each
// finder picks, CIDRs claimed twice, tables of other VPCs, and the interface
// the routes will point at. Pure: plain values in, results out.
import type { Config, RouteSpec, RouteTableSpec } from '../config/model.js';
import type { PlaceholderValues } from '../config/values.js';
import { findTables } from '../core/finders.js';
import type { RouteTableView } from '../core/types.js';
import { byDeviceIndex, forwardingInterfaces } from '../ec2/interfaces.js';
import type { InterfaceView } from '../ec2/port.js';
import { fail, ok, type CheckResult } from './report.js';

/** One table a finder picked, for the checks after it. */
export interface Matched {
  readonly spec: RouteTableSpec;
  readonly table: RouteTableView;
}

const tableName = (t: RouteTableView): string => (t.tags.Name !== undefined && t.tags.Name !== '' ? `${t.id} (${t.tags.Name})` : t.id);
const list = (tables: readonly RouteTableView[], max = 6): string =>
  tables.length <= max ? tables.map(tableName).join(', ') : `${tables.slice(0, max).map(tableName).join(', ')} and ${tables.length - max} more`;

/**
 * The tables each finder picks, as the daemon would pick them: among the
 * tables of our VPC (every VPC's with all_vpcs). `all` is every table of the
 * region, so tables of other VPCs that a finder would match are seen too.
 */
export function finderChecks(config: Config, all: readonly RouteTableView[], vpcId: string, values: PlaceholderValues): { checks: CheckResult[]; matched: Matched[] } {
  const pool = config.allVpcs ? all : all.filter((t) => t.vpcId === vpcId);
  const checks: CheckResult[] = [];
  const matched: Matched[] = [];
  for (const spec of config.routeTables) {
    const id = `finder:${spec.name}`;
    const found = findTables(spec.find, pool, values);
    // Matched among every table (a finder such as `subnet` looks at its VPC's tables): those of other VPCs.
    const foreign = findTables(spec.find, all, values).filter((t) => t.vpcId !== vpcId);
    for (const table of found) matched.push({ spec, table });
    if (config.allVpcs && foreign.length > 0) {
      checks.push(
        fail(
          id,
          `matches ${foreign.length} table(s) of other VPCs: ${list(foreign)}; with all_vpcs on, the daemon would point routes there at this instance's interface in ${vpcId}, which EC2 refuses`,
          `narrow the finder to tables of ${vpcId} (e.g. an "and" with a by_tag only they carry), or turn all_vpcs off`,
        ),
      );
      continue;
    }
    const aside = foreign.length > 0 ? `; ${foreign.length} table(s) of other VPCs match too and are left alone (all_vpcs is off)` : '';
    if (found.length === 0) {
      if (spec.noResultsOk) checks.push(ok(id, `matches no table of ${config.allVpcs ? 'the region' : vpcId} (allowed: no_results_ok)${aside}`));
      else
        checks.push(
          fail(
            id,
            `matches no table of ${config.allVpcs ? 'the region' : vpcId}${aside}; the daemon would report it on every pass and manage nothing for it`,
            `check the finder's tags and values against the tables (aws ec2 describe-route-tables --filters Name=vpc-id,Values=${vpcId}), or set no_results_ok: true if finding none is expected`,
          ),
        );
      continue;
    }
    checks.push(ok(id, `matches ${list(found)}${aside}`));
  }
  return { checks, matched };
}

/** A (table, CIDR) that two entries of `routetables` both manage: only the first acts on it (the planner's rule). */
export function claimCheck(matched: readonly Matched[]): CheckResult {
  const first = new Map<string, string>();
  const twice: string[] = [];
  for (const { spec, table } of matched)
    for (const route of spec.routes) {
      const key = `${table.id} ${route.cidr}`;
      const owner = first.get(key);
      if (owner === undefined) first.set(key, spec.name);
      else if (owner !== spec.name) twice.push(`${route.cidr} in ${tableName(table)} by ${owner} and ${spec.name}`);
    }
  if (twice.length === 0) return ok('cidr-claims', `no CIDR is managed twice in one table (${first.size} table/CIDR pair(s))`);
  return fail(
    'cidr-claims',
    `claimed twice: ${twice.join('; ')}; only the first entry acts on each`,
    'make the finders of those routetables entries pick different tables (e.g. not: true on a tag in one of them), or manage the CIDR in one entry only',
  );
}

/** The interface our routes will point at: one with source/destination check disabled (the daemon refuses to start otherwise). */
export function sourceDestCheck(instanceId: string, interfaces: readonly InterfaceView[]): { check: CheckResult; eni?: string } {
  const usable = forwardingInterfaces(interfaces);
  const chosen = usable[0];
  if (chosen === undefined) {
    const seen = interfaces.length === 0 ? `EC2 lists no interface attached to ${instanceId}` : `check enabled on ${interfaces.map((n) => n.id).join(', ')}`;
    const eni = interfaces.slice().sort(byDeviceIndex)[0]?.id ?? 'ENI';
    return {
      check: fail(
        'source-dest-check',
        `no interface of ${instanceId} has source/destination check disabled (${seen}); AWS drops traffic forwarded through it, and the daemon refuses to start`,
        `aws ec2 modify-network-interface-attribute --network-interface-id ${eni} --no-source-dest-check`,
      ),
    };
  }
  const more = usable.length > 1 ? ` (${usable.length} such interfaces; the lowest device index wins)` : '';
  return { check: ok('source-dest-check', `routes will point at ${chosen.id}${chosen.deviceIndex !== undefined ? ` (device ${chosen.deviceIndex})` : ''}, source/destination check off${more}`), eni: chosen.id };
}

/** The first route of `spec` per matched table: the one whose calls doctor tries (the same table answers for every CIDR). */
export function routeFor(m: Matched): RouteSpec | undefined {
  return m.spec.routes[0];
}

// doctor's IAM checks: every EC2 request the config makes the daemon send,
// tried with DryRun=true, and the answers judged. Pure: which requests to try
// (with harmless parameters), and what each answer means.
//
// AWS, on the DryRun parameter of every one of these actions: "Checks whether
// you have the required permissions for the action, without actually making
// the request, and provides an error response. If you have the required
// permissions, the error response is DryRunOperation. Otherwise, it is
// UnauthorizedOperation." (e.g. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html,
// API_ReplaceRoute.html, API_DeleteRoute.html, API_DescribeRouteTables.html).
// AWS does not document whether a DryRun also runs the action's own checks
// (a DeleteRoute of a route that is not in the table), nor in which order; so
// any answer but those two is "not determinable", a warn, never an ok.
import type { Config } from '../config/model.js';
import { substitute, type PlaceholderValues } from '../config/values.js';
import type { RouteTableView } from '../core/types.js';
import type { DryRunAnswer, DryRunCall } from '../ec2/port.js';
import { fail, ok, warn, type CheckResult } from './report.js';
import type { Matched } from './world-checks.js';

export type RouteAction = 'CreateRoute' | 'ReplaceRoute' | 'DeleteRoute';
export const ROUTE_ACTIONS: readonly RouteAction[] = ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'];

/** One DryRun request, and what may make EC2 refuse it for a reason other than permission. */
export interface Probe {
  readonly call: DryRunCall;
  /** Where: `rtb-… (Name)` for route calls. */
  readonly where?: string;
  /** Why the state may refuse it (the route is not in the table yet), or how its parameters were chosen. */
  readonly note?: string;
}

/** The describe calls the daemon makes with this config (start-up and every pass). */
export function describeProbes(config: Config, me: { instanceId: string; vpcId: string }, values: PlaceholderValues): Probe[] {
  const routes = config.routeTables.flatMap((t) => t.routes);
  const out: Probe[] = [
    { call: { action: 'DescribeRouteTables', ...(config.allVpcs ? {} : { vpcId: me.vpcId }) } },
    { call: { action: 'DescribeNetworkInterfaces', instanceId: me.instanceId } },
  ];
  if (routes.some((r) => r.ifUnhealthy || r.remoteHealthcheck !== undefined)) out.push({ call: { action: 'DescribeInstanceStatus', instanceIds: [me.instanceId] } });
  const peers = new Map<string, { tagKey: string; tagValue: string }>();
  for (const r of routes) if (r.peers !== undefined) peers.set(`${r.peers.tagKey}=${substitute(r.peers.tagValue, values)}`, { tagKey: r.peers.tagKey, tagValue: substitute(r.peers.tagValue, values) });
  const [peer] = peers.values();
  if (peer !== undefined) out.push({ call: { action: 'DescribeInstances', query: { vpcId: me.vpcId, ...peer } } });
  const fallbacks = [...new Set(routes.flatMap((r) => (r.fallback !== undefined ? [r.fallback] : [])))].sort();
  if (fallbacks.length > 0) out.push({ call: { action: 'DescribeNatGateways', ids: fallbacks } });
  return out;
}

/** A destination of the route's family that `table` does not hold: from the documentation ranges (RFC 5737, RFC 3849), never routed anywhere. */
export function spareDestination(family: 4 | 6, table: RouteTableView): string {
  const taken = new Set(table.routes.map((r) => r.destination));
  for (let i = 1; i < 255; i++) {
    const c = family === 4 ? `192.0.2.${i}/32` : `2001:db8::${i.toString(16)}/128`;
    if (!taken.has(c)) return c;
  }
  return family === 4 ? '198.51.100.1/32' : '2001:db8:1::1/128';
}

const label = (t: RouteTableView): string => (t.tags.Name !== undefined && t.tags.Name !== '' ? `${t.id} (${t.tags.Name})` : t.id);

/**
 * The route calls the daemon may make in each table a finder picked, with the
 * parameters it would send: the table, the first CIDR the entry manages, our
 * interface. Chosen so that each request is one EC2 would carry out (a DryRun
 * then answers only the permission question): CreateRoute of a CIDR already
 * in the table is tried with a spare documentation address instead;
 * ReplaceRoute names the route's current target when that is an interface or
 * a NAT gateway, so the request would change nothing even if it ran.
 */
export function routeProbes(matched: readonly Matched[], eni: string): Record<RouteAction, Probe[]> {
  const out: Record<RouteAction, Probe[]> = { CreateRoute: [], ReplaceRoute: [], DeleteRoute: [] };
  const seen = new Set<string>();
  for (const { spec, table } of matched) {
    const route = spec.routes[0];
    if (route === undefined || seen.has(table.id)) continue;
    seen.add(table.id);
    const where = label(table);
    const existing = table.routes.find((r) => r.destination === route.cidr);
    const missing = `${route.cidr} is not in the table yet`;
    if (existing === undefined) out.CreateRoute.push({ call: { action: 'CreateRoute', routeTableId: table.id, cidr: route.cidr, target: eni }, where });
    else {
      const spare = spareDestination(route.family, table);
      out.CreateRoute.push({ call: { action: 'CreateRoute', routeTableId: table.id, cidr: spare, target: eni }, where, note: `tried with ${spare}, a documentation address: ${route.cidr} is in the table already` });
    }
    const t = existing?.target;
    const current = t?.kind === 'interface' ? t.networkInterfaceId : t?.kind === 'other' && t.id.startsWith('nat-') ? t.id : eni;
    out.ReplaceRoute.push({ call: { action: 'ReplaceRoute', routeTableId: table.id, cidr: route.cidr, target: current }, where, ...(existing === undefined ? { note: missing } : {}) });
    out.DeleteRoute.push({ call: { action: 'DeleteRoute', routeTableId: table.id, cidr: route.cidr }, where, ...(existing === undefined ? { note: missing } : {}) });
  }
  return out;
}

export type Verdict = 'allowed' | 'denied' | 'credentials' | 'ignored' | 'unknown';

const CREDENTIAL_CODES = new Set(['AuthFailure', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'RequestExpired', 'OptInRequired']);

/** What one DryRun answer says about the permission. */
export function verdict(a: DryRunAnswer): Verdict {
  if (a.awsCode === 'DryRunOperation') return 'allowed';
  if (a.awsCode === 'UnauthorizedOperation') return 'denied';
  if (CREDENTIAL_CODES.has(a.awsCode)) return 'credentials';
  if (a.outcome === 'ok') return 'ignored';
  return 'unknown';
}

/** May route calls be tried with DryRun? Only once a describe's DryRun showed the endpoint honours DryRun. */
export const honoursDryRun = (a: DryRunAnswer): boolean => a.awsCode === 'DryRunOperation' || a.awsCode === 'UnauthorizedOperation';

const POLICY = 'the policy in docs/daemon.md, "IAM policy"';

/** One result per action, over the places it was tried. */
export function judge(action: string, tried: readonly { probe: Probe; answer: DryRunAnswer }[], region: string): CheckResult {
  const id = `iam:${action}`;
  const by = (v: Verdict): { probe: Probe; answer: DryRunAnswer }[] => tried.filter((t) => verdict(t.answer) === v);
  const where = (xs: readonly { probe: Probe }[]): string => xs.map((x) => x.probe.where).filter((w) => w !== undefined).join(', ');
  const at = (xs: readonly { probe: Probe }[]): string => (where(xs) !== '' ? ` on ${where(xs)}` : '');
  const allowed = by('allowed');
  const denied = by('denied');
  const creds = by('credentials');
  const rest = [...by('ignored'), ...by('unknown')];
  if (creds.length > 0)
    return fail(id, `EC2 refused the credentials (${creds[0]!.answer.awsCode}): ${creds[0]!.answer.message}`, 'check the credentials line above: the instance profile, or the AWS_* variables of the environment the daemon runs in');
  if (denied.length > 0) {
    const tables = denied.flatMap((d) => ('routeTableId' in d.probe.call ? [d.probe.call.routeTableId] : []));
    const scope = tables.length > 0 ? tables.map((t) => `arn:aws:ec2:${region}:ACCOUNT:route-table/${t}`).join(', ') : '"Resource": "*" (describe calls cannot be limited by resource)';
    return fail(
      id,
      `ec2:${action} not allowed (UnauthorizedOperation)${at(denied)}${allowed.length > 0 ? `; allowed${at(allowed)}` : ''}`,
      `allow ec2:${action} to this instance's role on ${scope}: ${POLICY}`,
    );
  }
  if (rest.length > 0) {
    const first = rest[0]!;
    const why = verdict(first.answer) === 'ignored' ? 'EC2 carried the request out although DryRun was set' : `EC2 answered ${first.answer.awsCode}`;
    return warn(
      id,
      `not determinable${at(rest)}: ${why}${first.probe.note !== undefined ? ` (${first.probe.note})` : ''}; AWS documents only DryRunOperation (allowed) and UnauthorizedOperation (not allowed) as a DryRun's answers${allowed.length > 0 ? `; allowed${at(allowed)}` : ''}`,
      `make sure the role allows ec2:${action} (${POLICY}); run doctor again once ${first.probe.note?.includes('not in the table') === true ? 'the daemon has made the route' : 'EC2 answers'}`,
    );
  }
  const notes = allowed.flatMap((t) => (t.probe.note !== undefined ? [t.probe.note] : []));
  return ok(id, `ec2:${action} allowed (DryRun)${at(allowed)}${notes.length > 0 ? ` (${notes[0]})` : ''}`);
}

/** The route calls were not tried: the describe's DryRun did not show that the endpoint honours DryRun. */
export function notTried(action: RouteAction, why: string): CheckResult {
  return warn(`iam:${action}`, `not tried: ${why}`, `run doctor again once the DescribeRouteTables line is ok`);
}

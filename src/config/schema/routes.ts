// Route tables and the routes each manages. A route stays as parsed (keys
// as written, values normalised) until the whole document has been checked:
// whether the checks it names exist can only be judged against the other
// sections (config-file.ts), and that judgement needs the route as written
// (one name or a list). routeTableSpec() then makes the model of a table.
import * as z from 'zod';
import { ErrorCode } from '../codes.js';
import { DEFAULTS } from '../model.js';
import type { ChildInherit, RouteSpec, RouteTableSpec } from '../model.js';
import { show } from '../values.js';
import { finder } from './finders.js';
import type { Found } from './finders.js';
import { fallback, peers } from './handoff.js';
import { hookTimeout, routeHookKeys, routeHooks } from './hooks.js';
import { Fail, isPlainObject, report } from './issues.js';
import { MAX_SECONDS, bool, cidr, intRange, leaf, nonNegativeNumber, text, typeFail } from './leaf.js';
import { list, mapping } from './shapes.js';
import type { PartialCheck } from './shapes.js';

/** One name, or a list of names (`healthcheck: [a, b]`: all must pass); kept as written. */
const nameOrNames = () =>
  leaf<string | readonly string[]>(
    { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    (v) =>
      typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string'))
        ? v
        : typeFail('a check name or a list of check names', v),
  );

const INSTANCE = /^(SELF|i-[0-9a-f]{8}([0-9a-f]{9})?)$/;
const instanceRef = () =>
  leaf<string>({ type: 'string', pattern: INSTANCE.source }, (v) =>
    typeof v === 'string' && INSTANCE.test(v) ? v : new Fail(ErrorCode.Value, `${show(v)} is neither SELF nor an instance id (i-...)`),
  );

/**
 * AWS: a NAT gateway carries IPv4 traffic only (CreateRoute/ReplaceRoute
 * `NatGatewayId`: "[IPv4 traffic only]"); the one IPv6 route it takes is
 * NAT64's well-known prefix, 64:ff9b::/96.
 */
const ipv4Fallback: PartialCheck = (r, ctx) => {
  const c = isPlainObject(r.cidr) ? r.cidr : undefined;
  if (typeof r.fallback === 'string' && c?.family === 6 && c.text !== '64:ff9b::/96')
    report(ctx, ErrorCode.Value, `a NAT gateway fallback carries IPv4 traffic only; ${show(c.text)} is an IPv6 route`, { path: ['fallback'] });
};

export const route = mapping(
  {
    cidr: cidr('is required'),
    instance: instanceRef().default('SELF').describe('SELF (default) or an instance id.'),
    healthcheck: nameOrNames().optional().describe('Local check(s) gating this route; all must be healthy.'),
    remote_healthcheck: text().optional().describe('Remote check template run against the current owner.'),
    if_unhealthy: bool().default(false).describe('Act as a backup: take the route only when its owner is dead.'),
    never_delete: bool().default(false).describe('Keep our route even when our check fails.'),
    ...routeHookKeys,
    hook_timeout: hookTimeout('Seconds a route hook may run. Default 30; at most 3600.'),
    priority: intRange(0, 100)
      .default(DEFAULTS.priority)
      .describe('Backup rank, 0-100 (higher acts first when several backups see the same dead owner). Default 50.'),
    hold_down: nonNegativeNumber(MAX_SECONDS.holdDown)
      .default(DEFAULTS.holdDown)
      .describe('Seconds a primary waits (healthy, and since its own last change) before taking a live route back. Default 30; 0 disables; at most 86400.'),
    peers: peers().optional().describe('Instances (by tag) this route may be handed to when this instance drains, stops or is interrupted.'),
    fallback: fallback().optional().describe('A NAT gateway (nat-...) that carries the route while no instance can. IPv4 routes only.'),
  },
  'a route mapping',
  ipv4Fallback,
);

/** Two routes of one table for the same CIDR would fight over it. */
const oneRoutePerCidr: PartialCheck = (table, ctx) => {
  if (!Array.isArray(table.manage_routes)) return;
  const seen = new Map<string, number>();
  table.manage_routes.forEach((r: unknown, i: number) => {
    const c = isPlainObject(r) && isPlainObject(r.cidr) ? r.cidr.text : undefined;
    if (typeof c !== 'string') return;
    const first = seen.get(c);
    if (first === undefined) seen.set(c, i);
    else report(ctx, ErrorCode.Value, `${show(c)} is already managed by manage_routes[${first}] of this table`, { path: ['manage_routes', i, 'cidr'] });
  });
};

export const routeTable = mapping(
  {
    find: finder,
    manage_routes: list(route, { what: 'a list of routes', missing: 'is required', empty: 'must list at least one route' }),
  },
  'a route table mapping',
  oneRoutePerCidr,
);

type ParsedRoute = z.output<typeof route>;

function routeSpec(r: ParsedRoute, inherit: ChildInherit): RouteSpec {
  const hc = r.healthcheck;
  return Object.freeze({
    cidr: r.cidr.text,
    family: r.cidr.family,
    instance: r.instance,
    healthchecks: typeof hc === 'string' ? Object.freeze([hc]) : Object.freeze([...(hc ?? [])]),
    ...(r.remote_healthcheck !== undefined ? { remoteHealthcheck: r.remote_healthcheck } : {}),
    ifUnhealthy: r.if_unhealthy,
    neverDelete: r.never_delete,
    hooks: routeHooks(r),
    hookTimeout: r.hook_timeout,
    priority: r.priority,
    holdDown: r.hold_down,
    inherit,
    ...(r.peers !== undefined ? { peers: r.peers } : {}),
    ...(r.fallback !== undefined ? { fallback: r.fallback } : {}),
  });
}

/** The frozen model of a table; `inherit`: what its routes' hooks inherit (the top-level settings). */
export function routeTableSpec(name: string, table: { readonly find: Found; readonly manage_routes: readonly ParsedRoute[] }, inherit: ChildInherit): RouteTableSpec {
  return Object.freeze({
    name,
    find: table.find.spec,
    noResultsOk: table.find.noResultsOk,
    routes: Object.freeze(table.manage_routes.map((r) => routeSpec(r, inherit))),
  });
}

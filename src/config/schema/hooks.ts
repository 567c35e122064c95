// Hooks: commands run when a check changes state (run_on_healthy,
// run_on_unhealthy) or around a route change (run_before_add_route, ...).
// A command is a list, `[/usr/bin/logger, -t, awsnycast, moved]`: no shell
// is involved, and placeholders (`${instance_id}`) are filled in when it runs.
import { ErrorCode } from '../codes.js';
import { DEFAULTS, ROUTE_HOOKS } from '../model.js';
import type { RouteHookName } from '../model.js';
import { show } from '../values.js';
import { Fail } from './issues.js';
import { MAX_SECONDS, leaf, placeholderFail, positiveNumber } from './leaf.js';

export const argv = () =>
  leaf<readonly string[]>({ type: 'array', items: { type: 'string' }, minItems: 1 }, (v) => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string'))
      return new Fail(ErrorCode.Type, `must be a list of strings (command and arguments), got ${show(v)}`);
    for (const a of v) {
      if (a.includes('\u0000')) return new Fail(ErrorCode.Value, `${show(a)} must not contain a NUL character`);
      const bad = placeholderFail(a);
      if (bad !== undefined) return bad;
    }
    return Object.freeze([...v]);
  });

/** How long a hook may run, in seconds. */
export const hookTimeout = (description: string) => positiveNumber(undefined, 0, MAX_SECONDS.hook).default(DEFAULTS.hookTimeout).describe(description);

const optionalArgv = () => argv().optional();

/** The six route hook keys, each an optional command. */
export const routeHookKeys = Object.fromEntries(ROUTE_HOOKS.map((h) => [h, optionalArgv()])) as Record<RouteHookName, ReturnType<typeof optionalArgv>>;

/** The route hooks that are set, by name. */
export function routeHooks(route: Readonly<Partial<Record<RouteHookName, readonly string[]>>>): Readonly<Partial<Record<RouteHookName, readonly string[]>>> {
  const hooks: Partial<Record<RouteHookName, readonly string[]>> = {};
  for (const h of ROUTE_HOOKS) {
    const command = route[h];
    if (command !== undefined) hooks[h] = command;
  }
  return Object.freeze(hooks);
}

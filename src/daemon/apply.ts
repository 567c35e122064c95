// Applies a plan's actions: for each change, the "before" hook, the EC2 call
// with our interface id, the "after" hook. Hooks never block or undo a route
// change; their failures are logged. Each action's outcome is returned.
import type { RouteHookName } from '../config/model.js';
import { substitute } from '../config/values.js';
import type { PlaceholderValues } from '../config/values.js';
import type { PlannedAction } from '../core/plan.js';
import { Ec2Error, Ec2Outcome, toEc2Error } from '../ec2/errors.js';
import type { Ec2Port } from '../ec2/port.js';
import { runArgv, runOutcome } from '../hooks/run-argv.js';
import { timerDelay } from '../timers.js';
import type { Logger } from '../log/logger.js';

/** Told of every hook run: its name and outcome (metrics count them). */
export type HookCounter = (hook: string, outcome: string) => void;

export interface ActionOutcome {
  readonly action: PlannedAction;
  readonly ok: boolean;
  readonly error?: Ec2Error;
}

const HOOKS: Record<'create' | 'replace' | 'delete', [RouteHookName, RouteHookName]> = {
  create: ['run_before_add_route', 'run_after_add_route'],
  replace: ['run_before_replace_route', 'run_after_replace_route'],
  delete: ['run_before_delete_route', 'run_after_delete_route'],
};

export function routeHookEnv(a: PlannedAction, phase: 'before' | 'after'): Record<string, string> {
  return {
    AWSNYCAST_EVENT: `${phase}_${a.action}_route`,
    AWSNYCAST_ACTION: a.action,
    AWSNYCAST_ROUTE_TABLE_ID: a.routeTableId,
    AWSNYCAST_ROUTE_TABLE_NAME: a.tableName,
    AWSNYCAST_CIDR: a.cidr,
    AWSNYCAST_OLD_TARGET: a.current?.target ?? '',
    AWSNYCAST_NEW_TARGET: a.action === 'delete' ? '' : (a.target ?? ''),
    AWSNYCAST_REASON: a.reason,
    AWSNYCAST_REASON_TEXT: a.detail,
  };
}

async function runRouteHook(
  a: PlannedAction,
  hook: RouteHookName,
  phase: 'before' | 'after',
  values: PlaceholderValues,
  log: Logger,
  signal?: AbortSignal,
  onHook?: HookCounter,
): Promise<void> {
  const argv = a.route.hooks[hook];
  if (argv === undefined) return;
  const r = await runArgv(argv.map((x) => substitute(x, values)), {
    env: routeHookEnv(a, phase),
    ...(a.route.inherit !== undefined ? { inherit: a.route.inherit } : {}),
    timeoutMs: a.route.hookTimeout * 1000,
    killGraceMs: 2000,
    ...(signal !== undefined ? { signal } : {}),
  });
  onHook?.(hook, runOutcome(r));
  const fields = { hook, argv: argv[0], exitCode: r.exitCode, signal: r.signal, ms: Math.round(r.durationMs) };
  if (r.spawnError !== undefined) log.error({ ...fields, spawnError: r.spawnError, ...(r.spawnDetail !== undefined ? { detail: r.spawnDetail } : {}) }, `${hook} could not start`);
  else if (r.timedOut) log.error({ ...fields, stderr: r.stderrTail }, `${hook} timed out after ${a.route.hookTimeout} s and was killed`);
  else if (r.exitCode !== 0) log.error({ ...fields, stderr: r.stderrTail }, `${hook} failed`);
  else log.info(fields, `${hook} ran`);
}

/** How long a route change waits for its "before" hook at most (less if the hook's own timeout is shorter). */
export const BEFORE_HOOK_BUDGET_MS = 2000;

export interface ApplyOptions {
  readonly signal?: AbortSignal;
  readonly onHook?: HookCounter;
  /** Receives each "after" hook run, which the changes do not wait for (the daemon awaits them on shutdown). */
  readonly afterHook?: (run: Promise<void>) => void;
}

/**
 * Applies every action that changes something; `none` actions are skipped.
 * Hooks never hold a route change for long: the "before" hooks of all the
 * changes start together, and the changes wait for them at most
 * BEFORE_HOOK_BUDGET_MS (a hook still running then goes on until its own
 * hook_timeout, in parallel with the change); "after" hooks start once their
 * change is made and nothing waits for them.
 */
export async function applyPlan(
  actions: readonly PlannedAction[],
  ec2: Ec2Port,
  values: PlaceholderValues,
  log: Logger,
  opts: ApplyOptions = {},
): Promise<ActionOutcome[]> {
  const { signal, onHook } = opts;
  const changes = actions.filter((a) => a.action !== 'none');
  const logOf = (a: PlannedAction): Logger => log.child({ routeTable: a.routeTableId, cidr: a.cidr });
  const before = changes.map((a) => runRouteHook(a, HOOKS[a.action as keyof typeof HOOKS][0], 'before', values, logOf(a), signal, onHook));
  if (before.length > 0) {
    const budget = Math.min(BEFORE_HOOK_BUDGET_MS, ...changes.map((a) => a.route.hookTimeout * 1000));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(before), new Promise<void>((ok) => (timer = setTimeout(ok, timerDelay(budget))))]);
    clearTimeout(timer);
  }
  const outcomes: ActionOutcome[] = [];
  for (const a of changes) {
    const rlog = logOf(a);
    const after = HOOKS[a.action as keyof typeof HOOKS][1];
    try {
      if (a.action === 'create') await ec2.createRoute(a.routeTableId, a.cidr, a.target ?? '');
      else if (a.action === 'replace') await ec2.replaceRoute(a.routeTableId, a.cidr, a.target ?? '');
      else await ec2.deleteRoute(a.routeTableId, a.cidr);
    } catch (e) {
      const err = toEc2Error(a.action, e);
      // Deleting a route that is already gone reached the goal.
      if (a.action === 'delete' && err.code === Ec2Outcome.NotFound) {
        rlog.info({ reason: a.reason }, 'route was already gone');
        outcomes.push({ action: a, ok: true });
        continue;
      }
      // The caller logs failures once per distinct cause (the next pass retries).
      outcomes.push({ action: a, ok: false, error: err });
      continue;
    }
    rlog.info(
      { action: a.action, from: a.current?.target, to: a.action === 'delete' ? undefined : a.target, reason: a.reason },
      `${a.action === 'create' ? 'created' : a.action === 'replace' ? 'replaced' : 'deleted'} route: ${a.detail}`,
    );
    outcomes.push({ action: a, ok: true });
    opts.afterHook?.(runRouteHook(a, after, 'after', values, rlog, signal, onHook));
  }
  return outcomes;
}

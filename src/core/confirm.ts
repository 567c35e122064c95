// Confirming a plan before it is applied. EC2 has no compare-and-swap on
// routes, so a change that could fight another daemon (taking a route over,
// deleting one, a backup creating one, anything planned on cached tables) is
// risky: the daemon waits the route's rank delay (backups only), re-reads just
// the affected tables, plans again, and applies what the second plan says.
// This file decides which actions are risky, how long to wait, and how the
// second plan replaces the first. Pure.
import { createHash } from 'node:crypto';
import type { Plan, PlannedAction } from './reasons.js';

/**
 * An action that must be confirmed on a fresh read before it is applied:
 * every replace and delete; a create by a backup (`if_unhealthy`), or one
 * planned on cached tables (the route may exist by now).
 */
export function isRisky(a: PlannedAction, plannedOnCache: boolean): boolean {
  return a.action === 'replace' || a.action === 'delete' || (a.action === 'create' && (a.route.ifUnhealthy || plannedOnCache));
}

/**
 * How long a backup waits before re-reading and taking a route over: 0-200 ms
 * by `priority` (100 waits 0, 0 waits 200), plus 0-199 ms from a stable hash
 * of (instance, table, CIDR), so every instance ranks the same way without
 * talking to the others.
 */
export function rankDelayMs(priority: number, instanceId: string, routeTableId: string, cidr: string): number {
  const h = createHash('sha256').update(`${instanceId} ${routeTableId} ${cidr}`).digest();
  return (100 - priority) * 2 + (h.readUInt16BE(0) % 200);
}

export interface ConfirmStep {
  /** The risky actions of the first plan (empty: apply the plan as it is, no re-read). */
  readonly risky: readonly PlannedAction[];
  /** How long to wait before the re-read: the smallest rank delay of the backups among them (0 for primaries). */
  readonly delayMs: number;
  /** The tables to re-read. */
  readonly routeTableIds: readonly string[];
}

/** What confirming `p` takes. */
export function confirmStep(p: Plan, instanceId: string, plannedOnCache: boolean): ConfirmStep {
  const risky = p.actions.filter((a) => isRisky(a, plannedOnCache));
  const backups = risky.filter((a) => a.route.ifUnhealthy);
  const delayMs = backups.length === 0 ? 0 : Math.min(...backups.map((a) => rankDelayMs(a.route.priority, instanceId, a.routeTableId, a.cidr)));
  return { risky, delayMs, routeTableIds: [...new Set(risky.map((a) => a.routeTableId))] };
}

/** A change of the first plan that the second plan no longer makes. */
export interface Dropped {
  readonly first: PlannedAction;
  /** What the second plan says for that route (undefined: the route left the plan). */
  readonly now: PlannedAction | undefined;
}

/**
 * The plan to apply after the re-read: each change of the first plan that
 * the second plan still makes is applied as re-planned (risky ones: with the
 * owner, reason and detail of the fresh read, which hooks, logs, recent
 * changes and flap detection must see); a change it no longer makes is
 * replaced by what it says now (usually `none`) and reported in `dropped`.
 * Routes the first plan left alone stay as they were.
 */
export function mergeConfirmed(first: Plan, again: Plan, risky: readonly PlannedAction[]): { plan: Plan; dropped: Dropped[] } {
  const isRisky = new Set(risky);
  const dropped: Dropped[] = [];
  const actions = first.actions.map((a) => {
    if (a.action === 'none') return a;
    const now = again.actions.find((b) => b.routeTableId === a.routeTableId && b.cidr === a.cidr);
    if (now?.action === a.action) return isRisky.has(a) ? now : a;
    dropped.push({ first: a, now });
    return now ?? { ...a, action: 'none' as const };
  });
  return { plan: { ...first, actions }, dropped };
}

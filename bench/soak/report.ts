// A soak run's report: the checker's verdicts on the raw run (runner.ts), as
// JSON for bench/results/ and as the Markdown table docs/reliability.md quotes.
import type { RouteMutation } from '../../src/sim/mutations.js';
import { Timeline, changesOf, fallbackWhileTakeable, gapsOf, quantiles } from './checker.js';
import type { Change, CheckParams, Gap, RouteInput, RouteWrite, Target } from './checker.js';
import { TIMING } from './fleet.js';
import type { Fleet } from './fleet.js';
import type { PlanCheck, RawRun } from './runner.js';
import { countByKind } from './schedule.js';
import type { SoakEvent } from './schedule.js';

/** Detection: a backup's remote check follows a new owner within watch_time, fails fall × every, then the backup waits its rank delay (≤ 299 ms at priority 50). */
export const DETECTION_MS = (TIMING.watchTime + TIMING.fall * TIMING.every) * 1000 + 299;
export const SLACK_MS = 2000;
export const WINDOW_MS = 10_000;
export const CONVERGE_MS = 10_000;
/** The simulator's throttling buckets (docs/simulator.md): per action, per second. */
const DESCRIBE_PER_S = 20;
const MUTATE_PER_S = 5;
const STACK = /"stack"|\n\s+at \S+ \(|unhandled|uncaught|internal error in a pass/i;

export interface Report {
  seed: number;
  events: number;
  durationS: number;
  shape: RawRun['options']['shape'];
  daemons: number;
  eventsByKind: Record<string, number>;
  detectionMs: number;
  gapBoundMs: number;
  gaps: { n: number; p50: number; p95: number; max: number };
  violations: (Gap & { context: string[] })[];
  changes: number;
  unjustified: (Change & { context: string[] })[];
  redundantWrites: number;
  unmanagedWrites: string[];
  unmanagedChangedDuringRun: number;
  /** The first samples where something unmanaged differed: which tables, and their written routes then. */
  unmanagedChangeDetails: string[];
  /** Every owner change, judged. */
  changeList: Change[];
  unmanagedEqualAtEnd: boolean;
  crashes: string[];
  /** Daemons that refused to start (exit 1 with the reason) on an instance whose forwarding interface was detached: expected. */
  startupRefusals: string[];
  stackTraces: string[];
  /** Per route: seconds at its fallback NAT gateway while an instance could have taken it. */
  fallbackWhileTakeableS: Record<string, number>;
  convergence: { routesOkAfterMs: number | null; plans: PlanCheck[]; converged: boolean };
  /** Per daemon: calls per minute over the run (all actions), and the busiest action's peak in any 60 s window against its share. */
  callsPerMin: Record<string, { total: number; maxAction: string; maxPerMin: number; share: number; within: boolean }>;
  /** Whether the request log still held every request (else the peaks are over its last part). */
  requestLogComplete: boolean;
  driverErrors: string[];
  /** The invariants the quick mode asserts (cannot flake): no unmanaged write, no crash or stack trace, convergence. */
  stableOk: boolean;
}

const key = (rtb: string, cidr: string): string => `${rtb} ${cidr}`;

function targetOf(v: RouteMutation['before'], fleet: Fleet): Target {
  if (v === null) return null;
  if (v.natGatewayId !== undefined) return `nat:${v.natGatewayId}`;
  if (v.gatewayId !== undefined) return `igw:${v.gatewayId}`;
  return fleet.members.find((m) => m.eni === v.networkInterfaceId)?.id ?? v.instanceId ?? v.networkInterfaceId ?? null;
}

/** The events active or ended within WINDOW_MS before `t`. */
function context(schedule: readonly SoakEvent[], from: number, to: number): string[] {
  return schedule
    .filter((e) => e.atMs <= to && (e.durMs === 0 || e.atMs + e.durMs >= from - WINDOW_MS))
    .map((e) => `#${e.id} ${e.kind}${e.target !== null ? ` ${e.target}` : ''} ${(e.atMs / 1000).toFixed(1)}–${e.durMs === 0 ? '∞' : ((e.atMs + e.durMs) / 1000).toFixed(1)} s`);
}

export function buildReport(raw: RawRun): Report {
  const { fleet, schedule } = raw;
  const tl = new Timeline(raw.driver.timeline);
  const p: CheckParams = { detectionMs: DETECTION_MS, slackMs: SLACK_MS, windowMs: WINDOW_MS, holdDownMs: TIMING.holdDown * 1000, endMs: raw.endMs };
  const routeMuts = raw.mutations.filter((m): m is RouteMutation => m.kind === 'route');
  const managed = new Set(fleet.routes.map((r) => key(r.rtb, r.cidr)));
  const unmanagedWrites = routeMuts.filter((m) => !managed.has(key(m.routeTableId, m.cidr))).map((m) => `seq ${m.seq} ${m.action} ${m.routeTableId} ${m.cidr} by ${m.caller}`);
  const inputs: RouteInput[] = fleet.routes.map((r) => ({
    key: key(r.rtb, r.cidr),
    primary: r.primary,
    candidates: r.candidates,
    samples: raw.samples.get(key(r.rtb, r.cidr)) ?? [],
    writes: routeMuts
      .filter((m) => m.routeTableId === r.rtb && m.cidr === r.cidr)
      .map((m): RouteWrite => ({ t: m.wallMs - raw.wall0, seq: m.seq, caller: m.caller, action: m.action, before: targetOf(m.before, fleet), beforeState: m.before === null ? 'missing' : m.before.state, after: targetOf(m.after, fleet) })),
  }));
  const gaps = inputs.flatMap((r) => gapsOf(r, tl, p)).filter((g) => g.countedMs > 0);
  const judged = inputs.map((r) => changesOf(r, tl, p));
  const changes = judged.flatMap((j) => j.changes);

  // Convergence: the first time after the last fault from which no route is in a gap.
  let okAfter: number | null = 0;
  for (const r of inputs) {
    const bad = gapsOf(r, tl, p).filter((g) => g.end > raw.lastFaultEnd);
    for (const g of bad) okAfter = g.end >= raw.endMs ? null : okAfter === null ? null : Math.max(okAfter, g.end - raw.lastFaultEnd);
  }

  const crashes: string[] = [];
  const stackTraces: string[] = [];
  const startupRefusals: string[] = [];
  for (const n of raw.driver.nodes.values()) {
    for (const d of n.runs) {
      if (d.exited && !n.ours.has(d) && n.detached && d.child.exitCode === 1 && /refusing to start/.test(d.logs)) startupRefusals.push(`${n.m.id}: ${d.logTail(300)}`);
      else if (d.exited && !n.ours.has(d)) crashes.push(`${n.m.id} exited by itself (code ${d.child.exitCode}, signal ${d.child.signalCode}): ${d.logTail(600)}`);
      if (n.ours.has(d) && d.child.signalCode === null && d.child.exitCode !== 0 && d.child.exitCode !== null) crashes.push(`${n.m.id} exited ${d.child.exitCode} after SIGTERM: ${d.logTail(600)}`);
      const m = STACK.exec(d.logs);
      if (m !== null) stackTraces.push(`${n.m.id}: ${d.logs.slice(Math.max(0, m.index - 300), m.index + 500)}`);
    }
  }

  const minutes = raw.endMs / 60_000;
  const daemons = fleet.members.length;
  const callsPerMin: Report['callsPerMin'] = {};
  for (const m of fleet.members) {
    const caller = `AKID${m.id.slice(-6).toUpperCase()}`;
    const c = raw.counters.byCaller[caller];
    let maxAction = '-';
    let maxRatio = 0;
    let maxPerMin = 0;
    let share = 0;
    for (const action of Object.keys(c?.byAction ?? {})) {
      const perMin = peakPerMinute(raw.requests.filter((q) => q.caller === caller && q.action === action).map((q) => q.tMs));
      const s = ((action.startsWith('Describe') ? DESCRIBE_PER_S : MUTATE_PER_S) * 60) / daemons;
      if (perMin / s > maxRatio) [maxRatio, maxAction, maxPerMin, share] = [perMin / s, action, perMin, s];
    }
    callsPerMin[m.id] = { total: Math.round((c?.calls ?? 0) / minutes), maxAction, maxPerMin: Math.round(maxPerMin), share: Math.round(share), within: maxRatio <= 1 };
  }
  const converged = okAfter !== null && okAfter <= CONVERGE_MS && raw.plans.every((x) => x.ok);
  const unmanagedOk = unmanagedWrites.length === 0 && raw.unmanagedEqualAtEnd && raw.unmanagedChanges.length === 0;
  return {
    seed: raw.options.seed,
    events: schedule.length,
    durationS: Math.round(raw.endMs / 1000),
    shape: raw.options.shape,
    daemons,
    eventsByKind: countByKind(schedule),
    detectionMs: DETECTION_MS,
    gapBoundMs: DETECTION_MS + SLACK_MS,
    gaps: quantiles(gaps.map((g) => Math.round(g.countedMs))),
    violations: gaps.filter((g) => g.countedMs > DETECTION_MS + SLACK_MS).map((g) => ({ ...g, context: context(schedule, g.start, g.end) })),
    changes: changes.length,
    unjustified: changes.filter((c) => !c.justified).map((c) => ({ ...c, context: context(schedule, c.t, c.t) })),
    redundantWrites: judged.reduce((n, j) => n + j.redundant.length, 0),
    unmanagedWrites,
    unmanagedChangedDuringRun: raw.unmanagedChanges.length,
    unmanagedChangeDetails: raw.unmanagedChanges.slice(0, 3).map((c) => `${Math.round(c.t)} ms: ${c.detail}`),
    changeList: changes.map((c) => ({ ...c, t: Math.round(c.t) })),
    unmanagedEqualAtEnd: raw.unmanagedEqualAtEnd,
    crashes,
    startupRefusals,
    stackTraces,
    fallbackWhileTakeableS: Object.fromEntries(inputs.map((r) => [r.key, Math.round(fallbackWhileTakeable(r, tl, raw.endMs) / 1000)])),
    convergence: { routesOkAfterMs: okAfter === null ? null : Math.round(okAfter), plans: raw.plans, converged },
    callsPerMin,
    requestLogComplete: raw.requests.length >= raw.counters.total,
    driverErrors: raw.driver.errors,
    stableOk: unmanagedOk && crashes.length === 0 && stackTraces.length === 0 && converged,
  };
}

/** The most requests in any 60 s window (times in ms, any order). */
export function peakPerMinute(times: readonly number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= 60_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** The run as a Markdown table (docs/reliability.md quotes it). */
export function markdown(r: Report): string {
  const row = (k: string, v: string): string => `| ${k} | ${v} |`;
  const calls = Object.entries(r.callsPerMin).map(([id, c]) => `${id.slice(-3)} ${c.total}/min (peak ${c.maxAction} ${c.maxPerMin} in 60 s, share ${c.share})`).join('; ');
  return [
    `| seed ${r.seed} | ${r.events} events, ${r.daemons} daemons, ${r.durationS} s |`,
    '|---|---|',
    row('events by kind', Object.entries(r.eventsByKind).sort().map(([k, n]) => `${k} ${n}`).join(', ')),
    row('gaps (counted ms)', `n ${r.gaps.n}, p50 ${r.gaps.p50}, p95 ${r.gaps.p95}, max ${r.gaps.max} (bound ${r.gapBoundMs} = detection ${r.detectionMs} + ${SLACK_MS})`),
    row('gap violations', String(r.violations.length)),
    row('owner changes / unjustified', `${r.changes} / ${r.unjustified.length}`),
    row('redundant writes (same owner)', String(r.redundantWrites)),
    row('unmanaged writes / changed during run / equal at end', `${r.unmanagedWrites.length} / ${r.unmanagedChangedDuringRun} / ${r.unmanagedEqualAtEnd ? 'yes' : 'NO'}`),
    row('crashes / stack traces (start-up refusals after a detach)', `${r.crashes.length} / ${r.stackTraces.length} (${r.startupRefusals.length})`),
    row('s at the fallback while an instance could take the route', Object.entries(r.fallbackWhileTakeableS).map(([k, v]) => `${k.split(' ')[0]!.slice(-3)} ${v}`).join(', ')),
    row('converged (routes ok after last fault; fresh plans agree)', `${r.convergence.converged ? 'yes' : 'NO'} (${r.convergence.routesOkAfterMs ?? 'never'} ms; ${r.convergence.plans.filter((x) => x.ok).length}/${r.convergence.plans.length} plans)`),
    row('EC2 calls per daemon', calls),
    row('calls within the throttling share', Object.values(r.callsPerMin).every((c) => c.within) ? 'yes' : 'NO'),
  ].join('\n');
}

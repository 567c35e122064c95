// The status document (GET /status, `awsnycast status --json`): who we are,
// the config, the last pass, every managed route with the decision and its
// reason, every check, recent changes and current problems.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DaemonView, RouteChange } from '../daemon/view.js';
import type { CheckSnapshot } from '../health/index.js';

export interface RouteStatus {
  routeTable: string;
  tableName: string;
  cidr: string;
  target: string | null;
  state: string;
  ours: boolean;
  action: string;
  reason: string;
  detail: string;
  /** The outcome of the last pass's change of this route: `ok`, the failure's code, or null when it changed nothing. */
  outcome: string | null;
  /** Routes with peers or a fallback that point at us: who a hand-off would give the route to now (null: nobody), and why. */
  handoff?: { to: string | null; why: string };
}

export interface StatusDocument {
  version: string;
  identity: { instanceId: string; az: string; region: string; vpcId: string; subnetId: string; networkInterfaceId: string };
  config: { file: string; sha256: string | null };
  startedAt: string;
  uptimeSeconds: number;
  noop: boolean;
  drained: { force: boolean; source: string; why: string } | null;
  /** The instance's own lifecycle signals from metadata (a spot notice, ...), while active. */
  lifecycle: { kind: string; detail: string; due?: string }[];
  lastPass: { startedAt: string; durationMs: number; ok: boolean; error?: string } | null;
  routes: RouteStatus[];
  checks: (CheckSnapshot & { remote: false })[];
  remoteChecks: (CheckSnapshot & { remote: true; template: string })[];
  recentChanges: RouteChange[];
  errors: { cause: string; count: number }[];
  flapping: { routeTable: string; cidr: string; other: string }[];
}

function fileHash(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

export function statusDocument(d: DaemonView, o: { version: string; noop: boolean; startedAt: Date }): StatusDocument {
  const id = d.identity;
  const last = d.lastPass;
  const drain = d.drainState();
  return {
    version: o.version,
    identity: { instanceId: id.instanceId, az: id.az, region: id.region, vpcId: id.vpcId, subnetId: id.subnetId, networkInterfaceId: id.networkInterfaceId },
    config: { file: d.currentConfig.file, sha256: fileHash(d.currentConfig.file) },
    startedAt: o.startedAt.toISOString(),
    uptimeSeconds: Math.round((Date.now() - o.startedAt.getTime()) / 1000),
    noop: o.noop,
    drained: drain ?? null,
    lifecycle: d.lifecycleSignals().map((l) => ({ ...l })),
    lastPass:
      last === undefined ? null : { startedAt: last.startedAt, durationMs: last.durationMs, ok: last.ok, ...(last.error !== undefined ? { error: last.error } : {}) },
    // Each route as it is after our own writes, with the last pass's decision and its outcome.
    routes: d.routeStates().map(
      (r): RouteStatus => ({
        routeTable: r.action.routeTableId,
        tableName: r.action.tableName,
        cidr: r.action.cidr,
        target: r.current?.target ?? null,
        state: r.current?.state ?? 'missing',
        ours: r.ours,
        action: r.action.action,
        reason: r.action.reason,
        detail: r.action.detail,
        outcome: r.outcome,
        ...(r.action.handoff !== undefined ? { handoff: { to: r.action.handoff.to ?? null, why: r.action.handoff.why } } : {}),
      }),
    ),
    checks: d.allChecks().filter((c) => !c.remote).map((c) => ({ ...c.check.snapshot(), remote: false as const })),
    remoteChecks: d
      .allChecks()
      .filter((c) => c.remote)
      .map((c) => ({ ...c.check.snapshot(), remote: true as const, template: c.template ?? '' })),
    recentChanges: [...d.recentChanges],
    errors: d.currentErrors(),
    flapping: d.flappingRoutes(),
  };
}

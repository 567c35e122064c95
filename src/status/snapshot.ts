// The status document (GET /status, `awsnycast status --json`): who we are,
// the config, the last pass, every managed route with the decision and its
// reason, every check, recent changes and current problems.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Daemon, RouteChange } from '../daemon/daemon.js';
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
}

export interface StatusDocument {
  version: string;
  identity: { instanceId: string; az: string; region: string; vpcId: string; subnetId: string; networkInterfaceId: string };
  config: { file: string; sha256: string | null };
  startedAt: string;
  uptimeSeconds: number;
  noop: boolean;
  drained: { force: boolean; source: string } | null;
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

export function statusDocument(d: Daemon, o: { version: string; noop: boolean; startedAt: Date }): StatusDocument {
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
    lastPass:
      last === undefined ? null : { startedAt: last.startedAt, durationMs: last.durationMs, ok: last.ok, ...(last.error !== undefined ? { error: last.error } : {}) },
    routes: (last?.plan?.actions ?? []).map((a): RouteStatus => {
      const o = last?.outcomes.find((x) => x.action.routeTableId === a.routeTableId && x.action.cidr === a.cidr);
      // After a change we made, the route is what we wrote, not what the read before it showed.
      const written = o?.ok === true;
      const target = written ? (a.action === 'delete' ? null : (a.target ?? null)) : (a.current?.target ?? null);
      return {
        routeTable: a.routeTableId,
        tableName: a.tableName,
        cidr: a.cidr,
        target,
        state: written ? (a.action === 'delete' ? 'missing' : 'active') : (a.current?.state ?? 'missing'),
        ours: target === id.networkInterfaceId,
        action: a.action,
        reason: a.reason,
        detail: a.detail,
        outcome: o === undefined ? null : o.ok ? 'ok' : (o.error?.code ?? 'failed'),
      };
    }),
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

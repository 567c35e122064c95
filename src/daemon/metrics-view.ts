// Keeps the Prometheus metrics in step with the daemon after every pass.
// Series of routes and checks that no longer exist are removed, so that an
// alert on them does not fire forever.
import { Reason } from '../core/reasons.js';
import { routeKey } from '../core/targets.js';
import type { Metrics } from '../status/metrics.js';
import type { CheckEntry } from './health-supervisor.js';
import type { PassResult } from './reconciler.js';
import type { RouteState } from './view.js';

type RouteLabels = { route_table: string; cidr: string };
type CheckLabels = { check: string; destination: string; remote: string };

export class MetricsView {
  private readonly routeSeries = new Map<string, RouteLabels>();
  private checkSeries = new Map<string, CheckLabels>();

  constructor(private readonly m: Metrics) {}

  update(r: PassResult, routes: readonly RouteState[], checks: readonly CheckEntry[], drained: boolean): void {
    const m = this.m;
    m.passes.inc({ outcome: r.ok ? 'ok' : 'failed' });
    m.passSeconds.observe(r.durationMs / 1000);
    m.drained.set(drained ? 1 : 0);
    for (const o of r.outcomes) m.routeChanges.inc({ action: o.action.action, reason: o.action.reason, outcome: o.ok ? 'ok' : (o.error?.code ?? 'error') });
    if (r.plan !== undefined) {
      const now = new Set(routes.map((s) => routeKey(s.action.routeTableId, s.action.cidr)));
      for (const [key, labels] of this.routeSeries)
        if (!now.has(key)) {
          m.routeOwned.remove(labels);
          m.holdDown.remove(labels);
          m.flapping.remove(labels);
          this.routeSeries.delete(key);
        }
    }
    for (const s of routes) {
      const a = s.action;
      const labels = { route_table: a.routeTableId, cidr: a.cidr };
      this.routeSeries.set(routeKey(a.routeTableId, a.cidr), labels);
      m.routeOwned.set(labels, s.ours ? 1 : 0);
      m.holdDown.set(labels, a.reason === Reason.HoldDown ? 1 : 0);
      m.flapping.set(labels, a.reason === Reason.Flapping ? 1 : 0);
    }
    const seen = new Map<string, CheckLabels>();
    for (const c of checks) {
      const labels = { check: c.check.name, destination: c.check.destination, remote: String(c.remote) };
      seen.set(JSON.stringify(labels), labels);
      m.checkHealthy.set(labels, c.check.healthy ? 1 : 0);
      m.checkDecided.set(labels, c.check.decided ? 1 : 0);
    }
    for (const [key, labels] of this.checkSeries)
      if (!seen.has(key)) {
        m.checkHealthy.remove(labels);
        m.checkDecided.remove(labels);
      }
    this.checkSeries = seen;
  }
}

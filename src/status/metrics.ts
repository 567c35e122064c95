// Prometheus metrics (prom-client), one registry per daemon. Names follow
// Prometheus conventions: awsnycast_ prefix, base units, _total counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly checkHealthy = new Gauge({ name: 'awsnycast_check_healthy', help: '1 when the check is healthy, else 0', labelNames: ['check', 'destination', 'remote'], registers: [this.registry] });
  readonly checkDecided = new Gauge({ name: 'awsnycast_check_decided', help: '1 when the check has decided', labelNames: ['check', 'destination', 'remote'], registers: [this.registry] });
  readonly probeSeconds = new Histogram({
    name: 'awsnycast_probe_duration_seconds',
    help: 'Duration of health probes',
    labelNames: ['check', 'result'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  /** One child per check and result, made once: the label lookup costs more than the observation at 20 probes a second. */
  private readonly probeChildren = new Map<string, { observe: (v: number) => void }>();

  observeProbe(check: string, ok: boolean, seconds: number): void {
    const key = `${ok ? '+' : '-'}${check}`;
    let child = this.probeChildren.get(key);
    if (child === undefined) {
      child = this.probeSeconds.labels({ check, result: ok ? 'pass' : 'fail' });
      this.probeChildren.set(key, child);
    }
    child.observe(seconds);
  }

  readonly routeOwned = new Gauge({ name: 'awsnycast_route_owned', help: '1 when the route points at this instance', labelNames: ['route_table', 'cidr'], registers: [this.registry] });
  readonly routeChanges = new Counter({ name: 'awsnycast_route_changes_total', help: 'Route changes made by this daemon', labelNames: ['action', 'reason', 'outcome'], registers: [this.registry] });
  readonly passes = new Counter({ name: 'awsnycast_passes_total', help: 'Reconciliation passes', labelNames: ['outcome'], registers: [this.registry] });
  readonly passSeconds = new Histogram({ name: 'awsnycast_pass_duration_seconds', help: 'Duration of reconciliation passes', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  readonly ec2Calls = new Counter({ name: 'awsnycast_ec2_calls_total', help: 'EC2 API calls by action and outcome (ok, EC2_THROTTLED, ...)', labelNames: ['action', 'outcome'], registers: [this.registry] });
  readonly hookRuns = new Counter({ name: 'awsnycast_hook_runs_total', help: 'Hook runs', labelNames: ['hook', 'outcome'], registers: [this.registry] });
  readonly flapping = new Gauge({ name: 'awsnycast_route_flapping', help: '1 while flap detection holds the route', labelNames: ['route_table', 'cidr'], registers: [this.registry] });
  readonly holdDown = new Gauge({ name: 'awsnycast_route_hold_down', help: '1 while a hold-down keeps this daemon from taking the route', labelNames: ['route_table', 'cidr'], registers: [this.registry] });
  readonly drained = new Gauge({ name: 'awsnycast_drained', help: '1 while this instance is drained', registers: [this.registry] });
  readonly lifecycleSignals = new Counter({
    name: 'awsnycast_lifecycle_signals_total',
    help: "The instance's own lifecycle signals seen in metadata (each time one becomes active)",
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly lifecycleActive = new Gauge({ name: 'awsnycast_lifecycle_signal_active', help: '1 while the lifecycle signal is active (and hands routes off)', labelNames: ['kind'], registers: [this.registry] });

  constructor() {
    // The event-loop lag monitor samples every 10 ms by default: 100 wake-ups a second, about 1 % of a
    // core on an otherwise idle daemon. Every 500 ms is plenty for a daemon whose loop should be idle.
    collectDefaultMetrics({ register: this.registry, prefix: 'awsnycast_', eventLoopMonitoringPrecision: 500 });
  }
}

// The instance's own lifecycle signals (src/imds/lifecycle.ts) into the
// daemon: while one is active the daemon is drained in memory and hands its
// routes off; each signal is counted and shown in metrics. A reload with a
// changed `lifecycle:` section restarts the watcher with the new switches.
import type { Config, LifecycleSpec } from '../config/model.js';
import { LifecycleWatcher } from '../imds/lifecycle.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../status/metrics.js';
import type { Daemon } from './daemon.js';

const KINDS = ['spot-interruption', 'target-lifecycle', 'scheduled-event', 'rebalance'] as const;

export class LifecycleWiring {
  private spec: LifecycleSpec | undefined;
  private running: AbortController | undefined;

  constructor(
    private readonly daemon: Daemon,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
    private readonly metrics?: Metrics,
  ) {}

  /** Starts the watcher for `config` (at start, and after a reload that changed its `lifecycle:` section). */
  sync(config: Config): void {
    const l = config.lifecycle;
    if (this.spec !== undefined && JSON.stringify(this.spec) === JSON.stringify(l)) return;
    this.spec = l;
    if (this.running !== undefined) {
      this.running.abort();
      this.running = undefined;
      // The new switches decide afresh: what the old watcher saw no longer drains the instance.
      this.daemon.setLifecycle([]);
    }
    if (l.poll <= 0 || this.signal.aborted) return;
    const run = new AbortController();
    this.signal.addEventListener('abort', () => run.abort(), { once: true });
    this.running = run;
    const watcher = new LifecycleWatcher({
      pollMs: l.poll * 1000,
      spotInterruption: l.spotInterruption,
      targetLifecycle: l.targetLifecycle,
      scheduledEvents: l.scheduledEvents,
      scheduledLeadMs: l.scheduledLead * 1000,
      rebalance: l.rebalance,
      log: this.log.child({ part: 'lifecycle' }),
      onSignal: (kind) => this.metrics?.lifecycleSignals.inc({ kind }),
    });
    watcher.on('change', (active) => {
      if (run.signal.aborted) return;
      for (const k of KINDS) this.metrics?.lifecycleActive.set({ kind: k }, active.some((a) => a.kind === k) ? 1 : 0);
      this.daemon.setLifecycle(active);
    });
    watcher.start(run.signal);
  }
}

// The instance's own lifecycle signals (src/imds/lifecycle.ts) into the
// daemon: while one is active the daemon is drained in memory and hands its
// routes off; each signal is counted and shown in metrics. The switches are
// the config's `lifecycle:` section as it was at start (a reload does not
// restart the watcher).
import type { Config } from '../config/model.js';
import { LifecycleWatcher } from '../imds/lifecycle.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../status/metrics.js';
import type { Daemon } from './daemon.js';

const KINDS = ['spot-interruption', 'target-lifecycle', 'scheduled-event', 'rebalance'] as const;

export function watchLifecycle(daemon: Daemon, config: Config, log: Logger, signal: AbortSignal, metrics?: Metrics): LifecycleWatcher | undefined {
  const l = config.lifecycle;
  if (l.poll <= 0) return undefined;
  const watcher = new LifecycleWatcher({
    pollMs: l.poll * 1000,
    spotInterruption: l.spotInterruption,
    targetLifecycle: l.targetLifecycle,
    scheduledEvents: l.scheduledEvents,
    scheduledLeadMs: l.scheduledLead * 1000,
    rebalance: l.rebalance,
    log: log.child({ part: 'lifecycle' }),
    onSignal: (kind) => metrics?.lifecycleSignals.inc({ kind }),
  });
  watcher.on('change', (active) => {
    for (const k of KINDS) metrics?.lifecycleActive.set({ kind: k }, active.some((a) => a.kind === k) ? 1 : 0);
    daemon.setLifecycle(active);
  });
  return watcher.start(signal);
}

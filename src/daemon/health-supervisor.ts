// The health supervisor: runs the config's local checks and its remote check
// pools, re-syncs them on reload (a check whose spec did not change keeps its
// state), and reports how they stand as plain values for the planner. A
// change of any check only brings the next pass forward (onChange); it
// carries no delta. The loop sees checks only through HealthSource, so loop
// tests inject a fake one.
import type { CheckSpec, Config } from '../config/model.js';
import type { CheckView, Identity } from '../core/types.js';
import { HealthCheck, RemotePool, type HookDoneEvent } from '../health/index.js';
import { runOutcome } from '../hooks/run-argv.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from './clock.js';

/** A running check as the status page and the metrics show it. */
export interface CheckEntry {
  readonly check: HealthCheck;
  readonly remote: boolean;
  /** Remote checks: the template's name. */
  readonly template?: string;
}

export interface HealthViews {
  /** Local checks by name. */
  readonly checks: Record<string, CheckView>;
  /** Remote checks by template name, then destination IP. */
  readonly remote: Record<string, Record<string, CheckView>>;
  /** By local check name: since when (the clock's ms) it has been healthy. */
  readonly healthySince: Record<string, number>;
}

/** What the loop needs of the checks. */
export interface HealthSource {
  views(): HealthViews;
  /** The owner IPs each remote check template must run against (the plan's remoteTargets). */
  setRemoteTargets(targets: Readonly<Record<string, readonly string[]>>): void;
  /** Every running check, local and remote. */
  all(): CheckEntry[];
}

export interface SupervisorOptions {
  readonly identity: Identity;
  readonly log: Logger;
  /** plan and -noop promise to change nothing: no hook of any kind runs. */
  readonly noop: boolean;
  readonly substitute: (arg: string) => string;
  readonly clock: Clock;
  /** A check changed: plan again soon. */
  readonly onChange: () => void;
  readonly onHook?: (hook: string, outcome: string) => void;
  readonly onResult?: (check: string, ok: boolean, latencyMs: number) => void;
}

const specKey = (s: CheckSpec): string => JSON.stringify(s);

/** Stops and forgets the running checks (or pools) whose spec is gone from `wanted` or changed. */
function dropChanged<T extends { stop(): void }>(running: Map<string, T>, wanted: Readonly<Record<string, CheckSpec>>, specOf: (t: T) => CheckSpec, dropped?: (name: string) => void): void {
  for (const [name, t] of running) {
    const spec = wanted[name];
    if (spec !== undefined && specKey(spec) === specKey(specOf(t))) continue;
    t.stop();
    running.delete(name);
    dropped?.(name);
  }
}

export class HealthSupervisor implements HealthSource {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly pools = new Map<string, RemotePool>();
  private readonly healthySince = new Map<string, number>();
  private readonly life = new AbortController();

  constructor(private readonly opts: SupervisorOptions) {}

  /** Starts the checks of `config`, or re-syncs them after a reload; `signal` stops them all. */
  sync(config: Config, signal?: AbortSignal): void {
    if (signal !== undefined) signal.addEventListener('abort', () => this.life.abort(), { once: true });
    const wanted = config.healthchecks;
    dropChanged(this.checks, wanted, (c) => c.spec, (name) => this.healthySince.delete(name));
    const hooks = this.opts.noop ? (false as const) : { substitute: this.opts.substitute };
    const onHook = (e: HookDoneEvent): void => this.opts.onHook?.(e.hook, runOutcome(e.result));
    for (const [name, spec] of Object.entries(wanted)) {
      if (this.checks.has(name)) continue;
      // The check puts its own name (and destination) on each of its log lines, and logs its own transitions.
      const check = new HealthCheck(spec, { logger: this.opts.log, hooks });
      check.on('hook', onHook);
      check.on('result', (e) => this.opts.onResult?.(name, e.result.ok, e.result.latencyMs));
      check.on('change', (e) => {
        if (e.healthy) {
          if (!this.healthySince.has(name)) this.healthySince.set(name, this.opts.clock.now());
        } else this.healthySince.delete(name);
        this.opts.onChange();
      });
      this.checks.set(name, check.start(this.life.signal));
    }
    const templates = config.remoteHealthchecks;
    dropChanged(this.pools, templates, (p) => p.template);
    for (const [name, spec] of Object.entries(templates)) {
      if (this.pools.has(name)) continue;
      const pool = new RemotePool(spec, { ownIps: this.opts.identity.ownIps, logger: this.opts.log.child({ remoteCheck: name }), signal: this.life.signal, hooks });
      pool.on('change', () => this.opts.onChange());
      pool.on('hook', onHook);
      this.pools.set(name, pool);
    }
  }

  views(): HealthViews {
    const checks: Record<string, CheckView> = {};
    for (const [name, c] of this.checks) checks[name] = { healthy: c.healthy, decided: c.decided };
    const remote: Record<string, Record<string, CheckView>> = {};
    for (const [name, pool] of this.pools) {
      remote[name] = {};
      for (const ip of pool.destinations()) {
        const c = pool.get(ip);
        if (c !== undefined) remote[name][ip] = { healthy: c.healthy, decided: c.decided, failingRun: [...c.failingRun], fall: c.spec.fall, everyMs: c.spec.every * 1000 };
      }
    }
    return { checks, remote, healthySince: Object.fromEntries(this.healthySince) };
  }

  setRemoteTargets(targets: Readonly<Record<string, readonly string[]>>): void {
    for (const [name, pool] of this.pools) pool.setDestinations(targets[name] ?? []);
  }

  all(): CheckEntry[] {
    const out: CheckEntry[] = [...this.checks.values()].map((check) => ({ check, remote: false }));
    for (const [name, pool] of this.pools)
      for (const ip of pool.destinations()) {
        const check = pool.get(ip);
        if (check !== undefined) out.push({ check, remote: true, template: name });
      }
    return out;
  }

  /** Resolves true when every named local check has decided, false after `maxMs` or on stop. */
  async waitForDecided(names: readonly string[], maxMs: number): Promise<boolean> {
    const all = (): boolean => names.every((n) => this.checks.get(n)?.decided === true);
    const deadline = this.opts.clock.now() + maxMs;
    while (this.opts.clock.now() < deadline && !this.life.signal.aborted) {
      if (all()) return true;
      await this.opts.clock.sleep(50, this.life.signal);
    }
    return all();
  }

  async stop(): Promise<void> {
    this.life.abort();
    for (const c of this.checks.values()) c.stop();
    for (const p of this.pools.values()) p.stop();
    await Promise.all([...this.checks.values()].map((c) => c.settled()));
    await Promise.all([...this.pools.values()].map((p) => p.settled()));
  }
}

/** The longest time any check can take to decide: max(rise, fall) runs plus a timeout, plus slack. */
export function decideBoundMs(config: Config): number {
  const all = Object.values(config.healthchecks);
  return Math.max(2000, ...all.map((c) => (Math.max(c.rise, c.fall) + 1) * c.every * 1000 + c.timeout * 1000 + 1000));
}

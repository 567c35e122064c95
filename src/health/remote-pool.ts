// Remote checks: one running check per destination IP from a template. The
// caller (the daemon) says which IPs currently own routes; the pool starts
// checks for new IPs, stops and forgets removed ones at once, and never
// checks this instance's own addresses.
import { EventEmitter } from 'node:events';
import type { CheckSpec } from '../config/index.js';
import { canonicalIp } from '../net/address.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { HealthCheck } from './runner.js';
import type { ChangeEvent, CheckSnapshot, HealthCheckOptions, HookDoneEvent, ResultEvent } from './check-types.js';
import { adjustMaxListeners } from './check-types.js';

export interface RemotePoolOptions extends Omit<HealthCheckOptions, 'destination' | 'logger'> {
  /** This instance's own addresses: never checked. */
  readonly ownIps: Iterable<string>;
  readonly logger?: Logger;
  /** Stops every check of the pool when it fires. */
  readonly signal?: AbortSignal;
  /** Makes the check for one IP (tests); default `new HealthCheck(template, {...options, destination: ip})`. */
  readonly createCheck?: (template: CheckSpec, ip: string, options: HealthCheckOptions) => HealthCheck;
}

export interface RemotePoolEvents {
  /** A check for this IP was started. */
  started: [string];
  /** The check for this IP was stopped and forgotten. */
  stopped: [string];
  /** Forwarded `change` events of every check (`destination` says which). */
  change: [ChangeEvent];
  transition: [ChangeEvent];
  result: [ResultEvent];
  hook: [HookDoneEvent];
}

export class RemotePoolError extends Error {
  readonly code = 'HC_POOL_STOPPED';
}

/** Canonical text for an address (net/address.ts), so IPv6 spellings of one address collapse. */
function canonical(ip: string): string | undefined {
  return canonicalIp(ip.trim());
}

export class RemotePool extends EventEmitter<RemotePoolEvents> {
  private readonly checks = new Map<string, { check: HealthCheck; ac: AbortController }>();
  private readonly own: Set<string>;
  private readonly log: Logger;
  private stoppedFlag = false;

  constructor(
    readonly template: CheckSpec,
    private readonly opts: RemotePoolOptions,
  ) {
    super();
    this.own = new Set([...opts.ownIps].map((ip) => canonical(ip) ?? ip));
    this.log = opts.logger ?? silentLogger;
    const signal = opts.signal;
    if (signal !== undefined) {
      if (signal.aborted) this.stop();
      else {
        // Removed again in stop(): pools come and go with reloads while the caller's signal lives on.
        const onAbort = (): void => this.stop();
        adjustMaxListeners(signal, +1);
        signal.addEventListener('abort', onAbort, { once: true });
        this.detach = () => {
          signal.removeEventListener('abort', onAbort);
          adjustMaxListeners(signal, -1);
        };
      }
    }
  }

  /** Removes this pool's listener from the caller's signal. */
  private detach: (() => void) | undefined;

  /** The IPs being checked now. */
  destinations(): string[] {
    return [...this.checks.keys()];
  }

  get(ip: string): HealthCheck | undefined {
    const c = canonical(ip);
    return c === undefined ? undefined : this.checks.get(c)?.check;
  }

  snapshot(): CheckSnapshot[] {
    return [...this.checks.values()].map((e) => e.check.snapshot());
  }

  /**
   * Makes the running set exactly `ips` (minus our own addresses and
   * anything that is not an IP literal). Returns what changed.
   */
  setDestinations(ips: Iterable<string>): { started: string[]; stopped: string[] } {
    if (this.stoppedFlag) throw new RemotePoolError(`remote pool ${this.template.name} is stopped`);
    const want = new Set<string>();
    for (const ip of ips) {
      const c = canonical(ip);
      if (c === undefined) {
        this.log.warn({ check: this.template.name, destination: ip }, 'remote health check: not an IP address, ignored');
        continue;
      }
      if (!this.own.has(c)) want.add(c);
    }
    const stopped: string[] = [];
    for (const ip of [...this.checks.keys()]) {
      if (!want.has(ip)) {
        this.remove(ip);
        stopped.push(ip);
      }
    }
    const started: string[] = [];
    for (const ip of want) {
      if (!this.checks.has(ip)) {
        this.add(ip);
        started.push(ip);
      }
    }
    return { started, stopped };
  }

  /** Stops every check; the pool cannot be used afterwards. Idempotent. */
  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    this.detach?.();
    this.detach = undefined;
    for (const ip of [...this.checks.keys()]) this.remove(ip);
  }

  /** Resolves when every check stopped so far has nothing left running. */
  async settled(): Promise<void> {
    await Promise.all([...this.stopping]);
  }

  /** Checks that were stopped but whose probe or hook is still winding down; each leaves the set when done. */
  private readonly stopping = new Set<Promise<void>>();

  private notify(event: 'started' | 'stopped', ip: string): void {
    try {
      this.emit(event, ip);
    } catch (e) {
      this.log.error({ check: this.template.name, destination: ip, event, code: 'HC_LISTENER_ERROR', err: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 'a remote pool event listener threw');
    }
  }

  private add(ip: string): void {
    const { ownIps: _own, signal: _signal, createCheck, logger: _logger, ...checkOpts } = this.opts;
    const options: HealthCheckOptions = { ...checkOpts, destination: ip, logger: this.log };
    const check = createCheck !== undefined ? createCheck(this.template, ip, options) : new HealthCheck(this.template, options);
    const ac = new AbortController();
    check.on('change', (e) => this.emit('change', e));
    check.on('transition', (e) => this.emit('transition', e));
    check.on('result', (e) => this.emit('result', e));
    check.on('hook', (e) => this.emit('hook', e));
    this.checks.set(ip, { check, ac });
    check.start(ac.signal);
    this.log.info({ check: this.template.name, destination: ip }, 'remote health check started');
    this.notify('started', ip);
  }

  private remove(ip: string): void {
    const entry = this.checks.get(ip);
    if (entry === undefined) return;
    this.checks.delete(ip);
    entry.ac.abort();
    entry.check.removeAllListeners();
    const done: Promise<void> = entry.check.settled().finally(() => this.stopping.delete(done));
    this.stopping.add(done);
    this.log.info({ check: this.template.name, destination: ip }, 'remote health check stopped');
    this.notify('stopped', ip);
  }
}

// This instance's own lifecycle signals, polled from instance metadata
// (IMDSv2) through the SDK's metadata client, as identity.ts reads it, so
// AWS_EC2_METADATA_SERVICE_ENDPOINT and the SDK's config file point it
// elsewhere. What each path holds (the simulator serves them the same way;
// see src/sim/signals.ts for AWS's words):
//
// * spot/instance-action: {"action": "terminate" | "stop" | "hibernate",
//   "time": "2017-09-18T08:22:00Z"}, 404 unless EC2 is about to interrupt us
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
// * autoscaling/target-lifecycle-state: plain text (InService, Terminated,
//   Standby, Detached, Warmed:*), 404 outside an Auto Scaling group
//   https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
// * events/maintenance/scheduled: a JSON list of {NotBefore, Code,
//   Description, EventId, NotAfter, State}, times as "21 Jan 2019 09:00:43 GMT"
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
// * events/recommendations/rebalance: {"noticeTime": "2020-10-27T08:22:00Z"},
//   404 until EC2 emits the signal
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
//
// A 404 is "absent". Anything else that goes wrong (no answer, another
// status, a document of the wrong shape) raises nothing: the watcher keeps
// what it last knew for that kind and says what went wrong.
import { ImdsClient } from './imds-client.js';
import { EventEmitter } from 'node:events';
import { realClock, type Clock } from '../daemon/clock.js';
import type { Logger } from '../log/logger.js';
import { Malformed, signalOf } from './lifecycle-docs.js';

export { parseEventTime } from './lifecycle-docs.js';

export type LifecycleKind = 'spot-interruption' | 'target-lifecycle' | 'scheduled-event' | 'rebalance';

export interface LifecycleSignal {
  readonly kind: LifecycleKind;
  readonly detail: string;
  /** ISO time the event is due, when known */
  readonly due?: string;
}

export interface LifecycleOptions {
  /** 0 = off (start() does nothing). */
  readonly pollMs: number;
  /** spot/instance-action present (any action: terminate, stop, hibernate). */
  readonly spotInterruption: boolean;
  /** autoscaling/target-lifecycle-state present and not `InService`. */
  readonly targetLifecycle: boolean;
  /** events/maintenance/scheduled has an event that takes forwarding away (FORWARDING_LOST) due within scheduledLeadMs. */
  readonly scheduledEvents: boolean;
  readonly scheduledLeadMs: number;
  /** events/recommendations/rebalance present. */
  readonly rebalance: boolean;
}

/** What readLifecycle needs of a metadata client (imds-client.ts; the SDK's MetadataService fits too). */
export interface MetadataReader {
  request(path: string, options: { method?: string; headers?: Record<string, string> }): Promise<string>;
}

export interface LifecycleReading {
  /** The active signals among the kinds that were read (at most one per kind). */
  readonly signals: LifecycleSignal[];
  /** What could not be read or understood, one line each. */
  readonly problems: string[];
  /** Kinds whose state is unknown this time (unreachable, an unexpected status, a malformed document). */
  readonly unread: LifecycleKind[];
}

const KINDS: readonly LifecycleKind[] = ['spot-interruption', 'target-lifecycle', 'scheduled-event', 'rebalance'];

const PATHS: Record<LifecycleKind, string> = {
  'spot-interruption': '/latest/meta-data/spot/instance-action',
  'target-lifecycle': '/latest/meta-data/autoscaling/target-lifecycle-state',
  'scheduled-event': '/latest/meta-data/events/maintenance/scheduled',
  rebalance: '/latest/meta-data/events/recommendations/rebalance',
};

function switchedOn(o: LifecycleOptions, kind: LifecycleKind): boolean {
  switch (kind) {
    case 'spot-interruption':
      return o.spotInterruption;
    case 'target-lifecycle':
      return o.targetLifecycle;
    case 'scheduled-event':
      return o.scheduledEvents;
    case 'rebalance':
      return o.rebalance;
  }
}

/**
 * The HTTP status of a failed MetadataService request. The SDK
 * (MetadataService.request) wraps every failure in a new Error and copies
 * `$metadata.httpStatusCode` onto it only when the metadata service answered
 * with a status other than 200; a refused connection, a timeout or a failed
 * token PUT carry none. The message is not looked at: a failed token PUT
 * (thrown as is when IMDSv1 is disabled) also reads "status code 404".
 */
function httpStatus(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const s = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode ?? (e as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The document, undefined for a 404, or why it could not be read. */
async function fetchDoc(md: MetadataReader, path: string): Promise<{ body: string | undefined } | { error: string }> {
  try {
    return { body: await md.request(path, {}) };
  } catch (e) {
    if (httpStatus(e) === 404) return { body: undefined };
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Reads the switched-on kinds' paths (at once) and says which signals are
 * active at `nowWallMs` (epoch ms, for the scheduled events' lead time).
 * Never rejects: unreadable paths and malformed documents are `problems`,
 * their kinds `unread`, and raise nothing.
 */
export async function readLifecycle(md: MetadataReader, opts: LifecycleOptions, nowWallMs: number): Promise<LifecycleReading> {
  const kinds = KINDS.filter((k) => switchedOn(opts, k));
  const got = await Promise.all(kinds.map(async (kind) => ({ kind, doc: await fetchDoc(md, PATHS[kind]) })));
  const signals: LifecycleSignal[] = [];
  const problems: string[] = [];
  const unread: LifecycleKind[] = [];
  // One line per distinct failure (an unreachable endpoint fails every path alike).
  const failed = new Map<string, string[]>();
  for (const { kind, doc } of got) {
    if ('error' in doc) {
      unread.push(kind);
      failed.set(doc.error, [...(failed.get(doc.error) ?? []), PATHS[kind]]);
      continue;
    }
    if (doc.body === undefined) continue;
    try {
      const s = signalOf(kind, doc.body, opts, nowWallMs);
      if (s !== undefined) signals.push(s);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      unread.push(kind);
      problems.push(`instance metadata ${PATHS[kind]} is ${e.message}`);
    }
  }
  for (const [error, paths] of failed) problems.unshift(`instance metadata ${paths.join(', ')} not read: ${error}`);
  return { signals, problems, unread };
}

export interface LifecycleWatcherEvents {
  /** The set of active kinds changed; the active signals now. */
  change: [readonly LifecycleSignal[]];
}

export interface LifecycleWatcherOptions extends LifecycleOptions {
  readonly log: Logger;
  /** For the sleeps between polls; default the real one. */
  readonly clock?: Clock;
  /** Default: an ImdsClient of our own (2 s timeout, no retries), replaced after a poll with problems. */
  readonly metadata?: MetadataReader;
  /** Called once each time a kind becomes active. */
  readonly onSignal?: (kind: LifecycleKind) => void;
  /** Wall-clock epoch ms, for the scheduled events' lead time; default Date.now. */
  readonly wallNow?: () => number;
}

/** Distinct problems remembered for "warn once" (the oldest is forgotten beyond this). */
const MAX_WARNED = 32;

/** A fresh client after a poll with problems (it fetches a new token). */
const newClient = (): MetadataReader => new ImdsClient(2000);

export class LifecycleWatcher extends EventEmitter<LifecycleWatcherEvents> {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly wallNow: () => number;
  private md: MetadataReader | undefined;
  private current = new Map<LifecycleKind, LifecycleSignal>();
  private error: string | undefined;
  private readonly warned = new Set<string>();
  private loop: Promise<void> | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly opts: LifecycleWatcherOptions) {
    super();
    this.log = opts.log;
    this.clock = opts.clock ?? realClock;
    this.wallNow = opts.wallNow ?? Date.now;
    this.md = opts.metadata;
  }

  /** Polls now and then every pollMs until `signal` fires; does nothing if pollMs is 0, no kind is switched on, or it already runs. */
  start(signal: AbortSignal): this {
    if (this.loop !== undefined || !(this.opts.pollMs > 0) || !KINDS.some((k) => switchedOn(this.opts, k)) || signal.aborted) return this;
    this.loop = this.run(signal);
    return this;
  }

  /** Resolves once the loop start() began has ended (at once if none was started). */
  stopped(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** The active signals, in kind order. */
  active(): readonly LifecycleSignal[] {
    return KINDS.flatMap((k) => this.current.get(k) ?? []);
  }

  /** What went wrong in the latest poll, or undefined if it read every switched-on path. */
  lastError(): string | undefined {
    return this.error;
  }

  /** One poll (the loop's; also for a caller that wants one now). Joins a poll under way. Never rejects. */
  poll(signal?: AbortSignal): Promise<void> {
    this.inFlight ??= this.pollOnce(signal).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.poll(signal);
      if (signal.aborted) break;
      await this.clock.sleep(this.opts.pollMs, signal);
    }
  }

  private async pollOnce(signal: AbortSignal | undefined): Promise<void> {
    try {
      const md = (this.md ??= newClient());
      const r = await readLifecycle(md, this.opts, this.wallNow());
      if (signal?.aborted === true) return;
      if (r.problems.length > 0 && this.opts.metadata === undefined) this.md = undefined;
      this.apply(r);
    } catch (e) {
      // Not expected (readLifecycle does not reject, callbacks are guarded): keep polling.
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'lifecycle signal poll failed');
    }
  }

  private apply(r: LifecycleReading): void {
    const next = new Map<LifecycleKind, LifecycleSignal>();
    for (const k of r.unread) {
      const last = this.current.get(k);
      if (last !== undefined) next.set(k, last);
    }
    for (const s of r.signals) next.set(s.kind, s);
    const appeared = KINDS.filter((k) => next.has(k) && !this.current.has(k));
    const cleared = KINDS.filter((k) => this.current.has(k) && !next.has(k));
    this.current = next;
    this.record(r.problems);
    for (const k of appeared) {
      const s = next.get(k)!;
      this.log.warn({ kind: s.kind, detail: s.detail, ...(s.due !== undefined ? { due: s.due } : {}) }, `lifecycle signal: ${s.detail}`);
    }
    for (const k of cleared) this.log.info({ kind: k }, `lifecycle signal cleared: ${k}`);
    for (const k of appeared) this.guarded('onSignal', () => this.opts.onSignal?.(k));
    if (appeared.length > 0 || cleared.length > 0) {
      const now = this.active();
      this.guarded('a change listener', () => this.emit('change', now));
    }
  }

  /** lastError, and a warning the first time each problem is seen in a run of failing polls. */
  private record(problems: readonly string[]): void {
    if (problems.length === 0) {
      if (this.error !== undefined) this.log.info({}, 'lifecycle signals in instance metadata readable again');
      this.error = undefined;
      this.warned.clear();
      return;
    }
    this.error = problems.join('; ');
    for (const p of problems) {
      if (this.warned.has(p)) continue;
      if (this.warned.size >= MAX_WARNED) this.warned.delete(this.warned.values().next().value!);
      this.warned.add(p);
      this.log.warn({ code: 'IMDS_LIFECYCLE' }, `${p}; lifecycle signals stay as last read`);
    }
  }

  private guarded(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, `lifecycle watcher: ${what} threw`);
    }
  }
}

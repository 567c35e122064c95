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
import { excerpt } from './identity.js';

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

// Scheduled event codes that take this instance's forwarding away, from the
// event types on AWS's scheduled events page (URL above) and the
// InstanceStatusEvent/DescribeInstanceStatus reference:
// * instance-stop: "the instance is stopped" at the scheduled time;
// * instance-retirement: stopped (EBS-backed) or terminated (instance store);
// * instance-reboot, system-reboot: the instance (or its host) is rebooted;
//   the route keeps pointing at an ENI that forwards nothing for the minutes
//   a reboot takes, and the daemon itself goes down with it;
// Not system-maintenance: it is "either power maintenance or network
// maintenance" and the code does not say which; network maintenance is a
// "brief" loss of connectivity, power maintenance a "brief period" offline.
// Moving the routes away for every such event would trade a brief outage for
// two route changes; a real loss shows up in the peers' health checks.
const FORWARDING_LOST: ReadonlySet<string> = new Set(['instance-stop', 'instance-retirement', 'instance-reboot', 'system-reboot']);

const SPOT_ACTIONS: ReadonlySet<string> = new Set(['terminate', 'stop', 'hibernate']);

/** A document longer than this is not one of these small documents. */
const MAX_DOC = 64 * 1024;
/** More scheduled events than this in one list is not a real instance. */
const MAX_EVENTS = 256;

/** A document that answered but is not of the documented shape. */
class Malformed extends Error {}

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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new Malformed(`not ${what}: ${excerpt(body)}`);
  }
}

/** ISO 8601 in whole seconds, as AWS writes these times. */
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

/** An ISO 8601 UTC time as AWS writes them (`2017-09-18T08:22:00Z`), in whole seconds; undefined if not one. */
function isoTime(s: string): string | undefined {
  const m = ISO.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = validUtc(y, mo - 1, d, h, mi, se);
  return ms === undefined ? undefined : iso(ms);
}

/** Date.UTC, or undefined when a field is out of range (31 Feb, 25:00). */
function validUtc(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  const ms = Date.UTC(y, mo, d, h, mi, s);
  const t = new Date(ms);
  const same = t.getUTCFullYear() === y && t.getUTCMonth() === mo && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
  return same ? ms : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EVENT_TIME = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Epoch ms of a scheduled event's time as the metadata writes it, `21 Jan 2019 09:00:43 GMT` (a leading `Mon, ` is taken too); undefined if not one. */
export function parseEventTime(s: string): number | undefined {
  const m = EVENT_TIME.exec(s);
  if (m === null) return undefined;
  return validUtc(Number(m[3]), MONTHS.indexOf(m[2]!), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Text from metadata put in a log line or the status document: printable ASCII, at most `max` characters. */
function clip(s: string, max = 120): string {
  const t = s.replace(/[^\x20-\x7e]/g, '?');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function spotSignal(body: string): LifecycleSignal {
  const what = 'a JSON object {"action": "terminate" | "stop" | "hibernate", "time": "YYYY-MM-DDThh:mm:ssZ"}';
  const doc = parseJson(body, what);
  if (!isRecord(doc) || typeof doc.action !== 'string' || !SPOT_ACTIONS.has(doc.action) || typeof doc.time !== 'string') throw new Malformed(`not ${what}: ${excerpt(body)}`);
  const due = isoTime(doc.time);
  if (due === undefined) throw new Malformed(`not ${what}: ${excerpt(body)}`);
  return { kind: 'spot-interruption', detail: `Spot Instance interruption notice: ${doc.action} at ${due}`, due };
}

/** `InService`, `Terminated`, `Warmed:Stopped`, ...: letters, optionally `prefix:`. */
const TARGET_STATE = /^[A-Za-z]{1,32}(?::[A-Za-z]{1,32})?$/;

function targetLifecycleSignal(body: string): LifecycleSignal | undefined {
  const state = body.trim();
  if (!TARGET_STATE.test(state)) throw new Malformed(`not a target lifecycle state such as InService or Terminated: ${excerpt(body)}`);
  return state === 'InService' ? undefined : { kind: 'target-lifecycle', detail: `Auto Scaling target lifecycle state ${state}` };
}

interface EventView {
  readonly code: string;
  readonly eventId: string;
  readonly description: string;
  readonly notBefore: number;
  readonly notAfter: number | undefined;
  readonly done: boolean;
}

function eventOf(e: unknown, body: string): EventView {
  const what = 'a JSON list of events {"NotBefore": "21 Jan 2019 09:00:43 GMT", "Code": ..., "State": ...}';
  const bad = (): Malformed => new Malformed(`not ${what}: ${excerpt(body)}`);
  if (!isRecord(e) || typeof e.Code !== 'string' || typeof e.NotBefore !== 'string') throw bad();
  /** An optional text field: a string, or absent/null. */
  const text = (v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw bad();
    return v;
  };
  const state = text(e.State);
  const description = text(e.Description);
  const notAfterText = text(e.NotAfter);
  const notBefore = parseEventTime(e.NotBefore);
  const notAfter = notAfterText !== undefined ? parseEventTime(notAfterText) : undefined;
  if (notBefore === undefined || (notAfterText !== undefined && notAfter === undefined)) throw bad();
  // The list holds active events; a completed or canceled one (State, or the
  // "[Completed]"/"[Canceled]" prefix DescribeInstanceStatus gives its
  // description) is over either way.
  const done = /^(?:completed|canceled|cancelled)$/i.test(state ?? '') || /^\[(?:Completed|Canceled)\]/.test(description ?? '');
  return { code: e.Code, eventId: text(e.EventId) ?? '', description: description ?? '', notBefore, notAfter, done };
}

function scheduledSignal(body: string, leadMs: number, nowWallMs: number): LifecycleSignal | undefined {
  const doc = parseJson(body, 'a JSON list of scheduled events');
  if (!Array.isArray(doc)) throw new Malformed(`not a JSON list of scheduled events: ${excerpt(body)}`);
  if (doc.length > MAX_EVENTS) throw new Malformed(`more than ${MAX_EVENTS} scheduled events (${doc.length})`);
  const events = doc.map((e) => eventOf(e, body));
  // Due: NotBefore within the lead time or already past, and the window not
  // over (NotAfter, when given, still ahead: after it, the reboot or stop has
  // happened or not, and we are running either way).
  const due = events
    .filter((e) => FORWARDING_LOST.has(e.code) && !e.done && e.notBefore <= nowWallMs + leadMs && (e.notAfter === undefined || e.notAfter > nowWallMs))
    .sort((a, b) => a.notBefore - b.notBefore);
  const first = due[0];
  if (first === undefined) return undefined;
  const more = due.length > 1 ? ` (and ${due.length - 1} more)` : '';
  const id = first.eventId !== '' ? ` ${clip(first.eventId, 40)}` : '';
  const text = first.description !== '' ? `: ${clip(first.description)}` : '';
  return { kind: 'scheduled-event', detail: `scheduled event ${clip(first.code, 40)}${id}${text}${more}`, due: iso(first.notBefore) };
}

function rebalanceSignal(body: string): LifecycleSignal {
  const what = 'a JSON object {"noticeTime": "YYYY-MM-DDThh:mm:ssZ"}';
  const doc = parseJson(body, what);
  const at = isRecord(doc) && typeof doc.noticeTime === 'string' ? isoTime(doc.noticeTime) : undefined;
  if (at === undefined) throw new Malformed(`not ${what}: ${excerpt(body)}`);
  return { kind: 'rebalance', detail: `rebalance recommendation since ${at}` };
}

function signalOf(kind: LifecycleKind, body: string, opts: LifecycleOptions, nowWallMs: number): LifecycleSignal | undefined {
  if (body.length > MAX_DOC) throw new Malformed(`longer than ${MAX_DOC} characters (${body.length})`);
  switch (kind) {
    case 'spot-interruption':
      return spotSignal(body);
    case 'target-lifecycle':
      return targetLifecycleSignal(body);
    case 'scheduled-event':
      return scheduledSignal(body, opts.scheduledLeadMs, nowWallMs);
    case 'rebalance':
      return rebalanceSignal(body);
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

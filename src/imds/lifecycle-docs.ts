// The lifecycle documents of instance metadata, read: which of them mean
// that this instance is about to lose its forwarding (a signal), and which
// are not of the shape AWS documents (Malformed). Pure: the reading and the
// watcher are in lifecycle.ts, which names the paths and cites AWS's pages.
import { excerpt } from './identity.js';
import type { LifecycleKind, LifecycleOptions, LifecycleSignal } from './lifecycle.js';
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
export class Malformed extends Error {}


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

export function signalOf(kind: LifecycleKind, body: string, opts: LifecycleOptions, nowWallMs: number): LifecycleSignal | undefined {
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


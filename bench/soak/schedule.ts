// The soak's fault schedule: a pure function of (seed, options), so the same
// seed gives the same storm (docs/reliability.md). Faults overlap, within
// rules that keep the run meaningful: a fault never overlaps itself (the same
// kind on the same instance, or a global kind), at most one EC2-unavailable
// fault (throttle, hang, refuse) at a time with a pause between them, at most
// size − 1 instances of a group unfit at once, and permanent faults
// (terminate, detach) limited and never leaving a group with fewer than two
// live members.
import { mulberry32 } from '../../src/prng.js';

/** Faults on one instance; `stop` and `kill`-like faults are reverted at their end. */
export const INSTANCE_KINDS = [
  'service-stop', // its health-check target (TCP service) closed
  'instance-stop', // SIGTERM to its daemon (hand-off), service closed, instance stopped; started again at the end
  'impair', // instance status impaired; recovered at the end
  'daemon-kill', // SIGKILL; restarted at the end
  'reload', // config variant B + SIGHUP; variant A + SIGHUP at the end
  'drain', // POST /drain on its status socket; /undrain at the end
  'spot-notice', // spot/instance-action in its metadata; removed at the end
  'lifecycle-state', // Auto Scaling target state Standby; InService at the end
  'scheduled-event', // a scheduled instance-stop due in 60 s; cancelled at the end
  'terminate', // permanent: SIGTERM to its daemon, service closed, instance terminated
  'detach', // permanent: its interface detached, service closed
] as const;
/** Faults of the whole simulator (EC2 or every IMDS). */
export const GLOBAL_KINDS = ['throttle', 'errors', 'latency', 'hang', 'refuse', 'read-lag', 'imds-outage'] as const;

export type InstanceKind = (typeof INSTANCE_KINDS)[number];
export type GlobalKind = (typeof GLOBAL_KINDS)[number];
export type FaultKind = InstanceKind | GlobalKind;

export interface SoakEvent {
  id: number;
  atMs: number;
  /** 0 for permanent faults. */
  durMs: number;
  kind: FaultKind;
  /** The instance, for instance faults. */
  target: string | null;
  /** Fault parameters (latency, error rate, lag). */
  params: Record<string, number>;
}

export interface ScheduleOptions {
  events: number;
  durationMs: number;
  /** Groups of instances that can carry the same routes (e.g. the NATs, the anycast trio). */
  groups: readonly (readonly string[])[];
  /** Instances whose forwarding interface may be detached (a secondary interface: AWS does not detach a primary one). */
  detachable?: readonly string[];
  /** How many terminate and how many detach faults at most (each). */
  permanent: number;
  /** No fault starts before this (daemons start up). */
  startMs?: number;
}

/** Relative weights; permanent kinds get weight only while allowed. */
const WEIGHT: Record<FaultKind, number> = {
  'service-stop': 14, 'instance-stop': 6, impair: 5, 'daemon-kill': 7, reload: 5, drain: 6, 'spot-notice': 4, 'lifecycle-state': 4,
  'scheduled-event': 3, terminate: 1, detach: 1,
  throttle: 4, errors: 5, latency: 6, hang: 2, refuse: 2, 'read-lag': 4, 'imds-outage': 4,
};
/** Duration ranges in ms. */
const DURATION: Record<FaultKind, readonly [number, number]> = {
  'service-stop': [2000, 10_000], 'instance-stop': [4000, 15_000], impair: [3000, 10_000], 'daemon-kill': [1000, 8000], reload: [2000, 10_000],
  drain: [3000, 10_000], 'spot-notice': [3000, 10_000], 'lifecycle-state': [3000, 10_000], 'scheduled-event': [3000, 10_000],
  terminate: [0, 0], detach: [0, 0],
  throttle: [1000, 4000], errors: [2000, 8000], latency: [2000, 8000], hang: [2000, 6000], refuse: [2000, 6000], 'read-lag': [2000, 8000], 'imds-outage': [2000, 10_000],
};
/** Instance faults that make an instance unfit to carry a route. */
export const UNFITTING: ReadonlySet<FaultKind> = new Set(['service-stop', 'instance-stop', 'impair', 'drain', 'spot-notice', 'lifecycle-state', 'scheduled-event', 'terminate', 'detach']);
const EC2_DOWN: ReadonlySet<FaultKind> = new Set(['throttle', 'hang', 'refuse']);
/** Pause between two EC2-unavailable faults. */
const EC2_DOWN_GAP_MS = 20_000;

const isGlobal = (k: FaultKind): k is GlobalKind => (GLOBAL_KINDS as readonly string[]).includes(k);
const end = (e: SoakEvent): number => (e.durMs === 0 ? Infinity : e.atMs + e.durMs);

function params(kind: FaultKind, rnd: () => number): Record<string, number> {
  const pick = (lo: number, hi: number): number => Math.round(lo + rnd() * (hi - lo));
  switch (kind) {
    case 'errors':
      return { rate: pick(10, 50) / 100, status: rnd() < 0.5 ? 500 : 503, seed: pick(1, 1_000_000) };
    case 'latency':
      return { ms: pick(200, 1500) };
    case 'read-lag':
      return { ms: pick(500, 3000) };
    default:
      return {};
  }
}

/** The schedule: `events` faults, sorted by start, each within `durationMs`. */
export function generateSchedule(seed: number, o: ScheduleOptions): SoakEvent[] {
  const rnd = mulberry32(seed);
  const startMs = o.startMs ?? 0;
  const instances = o.groups.flat();
  const out: SoakEvent[] = [];
  const span = Math.max(1, o.durationMs - startMs - 4000);
  const permanentUsed = { terminate: 0, detach: 0 };
  const dead = new Set<string>();
  const step = span / Math.max(1, o.events);
  let t = startMs;
  for (let i = 0; i < o.events; i++) {
    t = Math.max(t, startMs + Math.floor(i * step + rnd() * step));
    for (let tries = 0; ; tries++) {
      const active = out.filter((e) => e.atMs <= t && end(e) > t);
      const kinds = (Object.keys(WEIGHT) as FaultKind[]).filter((k) => allowedKind(k, t, active, out, permanentUsed, o));
      const choices: [FaultKind, string | null][] = [];
      for (const k of kinds) {
        if (isGlobal(k)) choices.push([k, null]);
        else for (const id of instances) if (!dead.has(id) && (k !== 'detach' || (o.detachable ?? []).includes(id)) && allowedOn(k, id, active, dead, o.groups)) choices.push([k, id]);
      }
      if (choices.length === 0) {
        if (tries > 1000) throw new Error(`schedule: no fault fits at ${t} ms (too many events for the duration?)`);
        t += 250;
        continue;
      }
      const total = choices.reduce((n, [k]) => n + WEIGHT[k], 0);
      let r = rnd() * total;
      let chosen = choices[choices.length - 1]!;
      for (const c of choices) {
        r -= WEIGHT[c[0]];
        if (r < 0) {
          chosen = c;
          break;
        }
      }
      const [kind, target] = chosen;
      const [lo, hi] = DURATION[kind];
      const durMs = hi === 0 ? 0 : Math.min(Math.round(lo + rnd() * (hi - lo)), Math.max(lo, o.durationMs - 2000 - t));
      if (kind === 'terminate' || kind === 'detach') {
        permanentUsed[kind]++;
        dead.add(target!);
      }
      out.push({ id: i, atMs: t, durMs, kind, target, params: params(kind, rnd) });
      break;
    }
  }
  return out;
}

function allowedKind(
  k: FaultKind,
  t: number,
  active: readonly SoakEvent[],
  all: readonly SoakEvent[],
  used: { terminate: number; detach: number },
  o: ScheduleOptions,
): boolean {
  if (k === 'terminate' || k === 'detach') return used[k] < o.permanent && t < o.durationMs * 0.8;
  if (t + DURATION[k][0] > o.durationMs - 2000) return false;
  if (!isGlobal(k)) return true;
  if (active.some((e) => e.kind === k)) return false;
  // hang and refuse are the one outage switch
  if ((k === 'hang' || k === 'refuse') && active.some((e) => e.kind === 'hang' || e.kind === 'refuse')) return false;
  if (EC2_DOWN.has(k)) return !all.some((e) => EC2_DOWN.has(e.kind) && end(e) + EC2_DOWN_GAP_MS > t);
  return true;
}

function allowedOn(k: FaultKind, id: string, active: readonly SoakEvent[], dead: ReadonlySet<string>, groups: readonly (readonly string[])[]): boolean {
  if (active.some((e) => e.kind === k && e.target === id)) return false;
  if (!UNFITTING.has(k)) return true;
  for (const g of groups) {
    if (!g.includes(id)) continue;
    const unfit = new Set(active.filter((e) => e.target !== null && g.includes(e.target) && UNFITTING.has(e.kind)).map((e) => e.target));
    for (const d of dead) if (g.includes(d)) unfit.add(d);
    if (!unfit.has(id) && unfit.size >= g.length - 1) return false;
    if ((k === 'terminate' || k === 'detach') && g.filter((x) => !dead.has(x)).length <= 2) return false;
  }
  return true;
}

/** The events by kind. */
export function countByKind(events: readonly SoakEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.kind] = (out[e.kind] ?? 0) + 1;
  return out;
}

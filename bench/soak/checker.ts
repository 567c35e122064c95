// The soak's invariant checker: pure, from plain values (the 100 ms watch
// samples of every managed route, the route writes of the mutation log, the
// timeline of what the soak did to each instance) to gaps and owner changes.
// Definitions in docs/reliability.md ("What is checked").

/** What the soak did, as state changes: per instance, or global (`instance: null`, field `ec2Down`). */
export interface StateChange {
  t: number;
  instance: string | null;
  field: 'running' | 'attached' | 'serviceUp' | 'impaired' | 'daemonReady' | 'drained' | 'signal' | 'stopping' | 'ec2Down';
  value: boolean;
  /** The soak event that caused it. */
  event?: number;
}

/** A route target: an instance id, `nat:ID` for a NAT gateway, `igw:ID`, or null (missing). */
export type Target = string | null;

export interface Sample {
  t: number;
  target: Target;
  state: 'active' | 'blackhole' | 'missing';
}

export interface RouteWrite {
  t: number;
  seq: number;
  caller: string;
  action: string;
  before: Target;
  beforeState: 'active' | 'blackhole' | 'missing';
  after: Target;
}

export interface RouteInput {
  key: string;
  primary: string;
  candidates: readonly string[];
  samples: readonly Sample[];
  writes: readonly RouteWrite[];
}

export interface CheckParams {
  /** Detection time (docs/reliability.md). */
  detectionMs: number;
  /** Allowed gap beyond detection. */
  slackMs: number;
  /** How long after an unfitting fault (or a recovery, after hold-down) a change may still cite it. */
  windowMs: number;
  holdDownMs: number;
  endMs: number;
}

export interface Gap {
  route: string;
  start: number;
  end: number;
  /** Time within [start, end) where a healthy candidate existed and EC2 was available. */
  countedMs: number;
  why: string;
}

export interface Change {
  route: string;
  t: number;
  seq: number;
  from: Target;
  to: Target;
  justified: boolean;
  why: string;
}

const DEFAULTS: Record<StateChange['field'], boolean> = {
  running: true, attached: true, serviceUp: true, impaired: false, daemonReady: true, drained: false, signal: false, stopping: false, ec2Down: false,
};

/** Values of the timeline's fields at any time (changes sorted by time). */
export class Timeline {
  private readonly by = new Map<string, { t: number; value: boolean; event?: number }[]>();

  constructor(changes: readonly StateChange[]) {
    for (const c of [...changes].sort((a, b) => a.t - b.t)) {
      const k = `${c.instance ?? '*'}/${c.field}`;
      const list = this.by.get(k) ?? [];
      list.push({ t: c.t, value: c.value, ...(c.event !== undefined ? { event: c.event } : {}) });
      this.by.set(k, list);
    }
  }

  at(instance: string | null, field: StateChange['field'], t: number): boolean {
    const list = this.by.get(`${instance ?? '*'}/${field}`);
    if (list === undefined || list.length === 0 || list[0]!.t > t) return DEFAULTS[field];
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid]!.t <= t) lo = mid;
      else hi = mid - 1;
    }
    return list[lo]!.value;
  }

  /** Traffic through it works: running, interface attached, service up, not impaired. */
  targetOk(id: string, t: number): boolean {
    return this.at(id, 'running', t) && this.at(id, 'attached', t) && this.at(id, 'serviceUp', t) && !this.at(id, 'impaired', t);
  }

  /** It should carry routes: target ok, and not draining, signalled or stopping. */
  carryFit(id: string, t: number): boolean {
    return this.targetOk(id, t) && !this.at(id, 'drained', t) && !this.at(id, 'signal', t) && !this.at(id, 'stopping', t);
  }

  /** It could take a route: fit to carry, and its daemon up with its checks decided. */
  canTake(id: string, t: number): boolean {
    return this.carryFit(id, t) && this.at(id, 'daemonReady', t);
  }

  /**
   * Episodes [start, end) in which `pred` was false for `id`, from the change
   * points of its fields (end Infinity while still false).
   */
  episodes(id: string, pred: (t: number) => boolean): { start: number; end: number }[] {
    const points = new Set<number>([0]);
    for (const [k, list] of this.by) if (k.startsWith(`${id}/`)) for (const c of list) points.add(c.t);
    const out: { start: number; end: number }[] = [];
    let open: number | null = null;
    for (const p of [...points].sort((a, b) => a - b)) {
      const ok = pred(p);
      if (!ok && open === null) open = p;
      if (ok && open !== null) {
        out.push({ start: open, end: p });
        open = null;
      }
    }
    if (open !== null) out.push({ start: open, end: Infinity });
    return out;
  }
}

const isInstance = (x: Target): x is string => x !== null && x.startsWith('i-');

/** Gaps of one route: runs of samples where it is missing, a blackhole, or at a target whose traffic fails. */
export function gapsOf(r: RouteInput, tl: Timeline, p: CheckParams): Gap[] {
  const out: Gap[] = [];
  let cur: Gap | null = null;
  const bad = (s: Sample): string | null => {
    if (s.state === 'missing') return 'missing';
    if (s.state === 'blackhole') return `blackhole at ${s.target}`;
    if (isInstance(s.target) && !tl.targetOk(s.target, s.t)) return `at unhealthy ${s.target}`;
    return null;
  };
  for (let i = 0; i < r.samples.length; i++) {
    const s = r.samples[i]!;
    const next = r.samples[i + 1]?.t ?? p.endMs;
    const why = bad(s);
    if (why === null) {
      if (cur !== null) {
        cur.end = s.t;
        out.push(cur);
        cur = null;
      }
      continue;
    }
    cur ??= { route: r.key, start: s.t, end: next, countedMs: 0, why };
    cur.end = next;
    const candidate = r.candidates.some((c) => c !== s.target && tl.canTake(c, s.t)) || (isInstance(s.target) && tl.canTake(s.target, s.t));
    if (candidate && !tl.at(null, 'ec2Down', s.t)) cur.countedMs += next - s.t;
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** Time a route spent at a NAT gateway (its fallback) while an instance could have taken it. */
export function fallbackWhileTakeable(r: RouteInput, tl: Timeline, endMs: number): number {
  let ms = 0;
  r.samples.forEach((s, i) => {
    if (s.target?.startsWith('nat:') === true && r.candidates.some((c) => tl.canTake(c, s.t))) ms += (r.samples[i + 1]?.t ?? endMs) - s.t;
  });
  return ms;
}

/** Owner changes of one route, each judged justified or not (docs/reliability.md). */
export function changesOf(r: RouteInput, tl: Timeline, p: CheckParams): { changes: Change[]; redundant: RouteWrite[] } {
  const used = new Set<string>();
  const changes: Change[] = [];
  const redundant: RouteWrite[] = [];
  let fallbackStint: number | null = null;
  /** When the current owner got the route. */
  let since = -Infinity;
  const unfit = new Map<string, { start: number; end: number }[]>();
  const down = new Map<string, { start: number; end: number }[]>();
  const ids = new Set([...r.candidates, r.primary]);
  for (const id of ids) {
    unfit.set(id, tl.episodes(id, (t) => tl.carryFit(id, t)));
    down.set(id, tl.episodes(id, (t) => tl.canTake(id, t)));
  }
  for (const w of r.writes) {
    if (w.before === w.after && w.beforeState === 'active') {
      redundant.push(w);
      continue;
    }
    if (w.before === w.after) {
      changes.push({ route: r.key, t: w.t, seq: w.seq, from: w.before, to: w.after, justified: true, why: 'rewrite of a blackhole' });
      continue;
    }
    let why: string | null = null;
    if (w.before === null || w.beforeState !== 'active') why = `repair (${w.beforeState})`;
    if (why === null && isInstance(w.before)) {
      // An episode that ended before the owner got the route does not count against it.
      const e = (unfit.get(w.before) ?? []).find((x) => x.start <= w.t && x.end > since && w.t <= x.end + p.windowMs && !used.has(`u/${w.before}/${x.start}`));
      if (e !== undefined) {
        used.add(`u/${w.before}/${e.start}`);
        why = `${w.before} unfit from ${Math.round(e.start)} ms`;
      }
    }
    if (why === null && w.before?.startsWith('nat:') === true && isInstance(w.after) && fallbackStint !== null && !used.has(`f/${fallbackStint}`)) {
      used.add(`f/${fallbackStint}`);
      why = 'back from the fallback';
    }
    if (why === null && w.after === r.primary) {
      const e = (down.get(r.primary) ?? []).find((x) => x.end <= w.t && w.t <= x.end + p.holdDownMs + p.windowMs && !used.has(`r/${x.start}`));
      if (e !== undefined) {
        used.add(`r/${e.start}`);
        why = `primary back (fit again at ${Math.round(e.end)} ms)`;
      }
    }
    // The fallback carries a route only while no instance can: going there while a peer could take it costs a second change.
    const peer = w.after?.startsWith('nat:') === true ? r.candidates.find((c) => c !== w.before && tl.canTake(c, w.t)) : undefined;
    if (peer !== undefined && why !== null && !why.startsWith('repair')) why = null;
    if (w.after?.startsWith('nat:') === true) fallbackStint = w.seq;
    if (why === null && peer !== undefined) {
      changes.push({ route: r.key, t: w.t, seq: w.seq, from: w.before, to: w.after, justified: false, why: `to the fallback while ${peer} could take the route` });
      since = w.t;
      continue;
    }
    changes.push({ route: r.key, t: w.t, seq: w.seq, from: w.before, to: w.after, justified: why !== null, why: why ?? 'no fault justifies it' });
    since = w.t;
  }
  return { changes, redundant };
}

/** p50, p95 and max of a list (0s when empty). */
export function quantiles(xs: readonly number[]): { n: number; p50: number; p95: number; max: number } {
  if (xs.length === 0) return { n: 0, p50: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => s[Math.min(s.length - 1, Math.ceil(f * s.length) - 1)]!;
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1]! };
}

// Reading our own writes through EC2's eventual consistency. AWS documents
// that the EC2 API is eventually consistent
// (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html:
// "the result of an API command ... might not be immediately visible to all
// subsequent commands"). A daemon that planned on such a read would see a
// route it just took still pointing at the old owner and act again. So the
// daemon remembers each route write it made for a short window; while a read
// still shows that route exactly as it was before the write, the planner
// holds any new change of it (OWN_WRITE_UNSEEN) instead of acting on a view
// that may only be stale. A read that shows our write, or anything else
// (another writer came after us), ends the hold. The read itself is never
// rewritten: a route handed back to the old owner right after our write looks
// the same as a stale read, and must not be mistaken for ours.
// Pure: plain values in, plain values out.
import { sameTarget } from './targets.js';
import type { RouteTableView, RouteView } from './types.js';

/** One route write this daemon made. */
export interface OwnWrite {
  readonly routeTableId: string;
  readonly cidr: string;
  /** The route as our read showed it before the write (undefined: it was missing). */
  readonly before: RouteView | undefined;
  /** The route as we wrote it (undefined: we deleted it). */
  readonly after: RouteView | undefined;
  /** Monotonic ms of the write. */
  readonly at: number;
}

/**
 * How long a write of ours may stay invisible before reads are trusted again.
 * Too short costs one redundant, harmless write of the same target; too long
 * delays the next change of that route when someone else really did write
 * the old target back.
 */
export const OWN_WRITE_WINDOW_MS = 3000;

export interface UnseenWrites {
  /** The writes to keep for the next read: those this read does not show yet, and those of tables it did not include. */
  readonly pending: readonly OwnWrite[];
  /** By route key (`routeTableId cidr`): until when (monotonic ms) the planner holds changes of a route whose write is unseen. */
  readonly unseen: Readonly<Record<string, number>>;
}

/**
 * Which of our recent writes a fresh read (`tables`) does not show yet.
 * Writes older than `windowMs`, writes the read shows, and writes the read
 * shows overtaken by someone else are dropped.
 */
export function unseenOwnWrites(tables: readonly RouteTableView[], writes: readonly OwnWrite[], now: number, windowMs = OWN_WRITE_WINDOW_MS): UnseenWrites {
  const pending: OwnWrite[] = [];
  const unseen: Record<string, number> = {};
  for (const w of writes) {
    const left = windowMs - (now - w.at);
    if (left <= 0) continue;
    const t = tables.find((x) => x.id === w.routeTableId);
    if (t === undefined) {
      pending.push(w);
      continue;
    }
    const seen = t.routes.find((r) => r.destination === w.cidr);
    if (sameTarget(seen, w.after)) continue; // visible now
    if (!sameTarget(seen, w.before)) continue; // someone wrote after us: the read stands
    pending.push(w);
    unseen[`${w.routeTableId} ${w.cidr}`] = w.at + windowMs;
  }
  return { pending, unseen };
}

/**
 * The tables as they are after our writes: each write's route replaced by
 * what we wrote (removed for a delete). The daemon's world view between
 * reads, so that the fast path, the status page and the metrics see the
 * routes we just changed as we left them, not as the read before showed them.
 */
export function withWrites(tables: readonly RouteTableView[], writes: readonly Pick<OwnWrite, 'routeTableId' | 'cidr' | 'after'>[]): RouteTableView[] {
  return tables.map((t) => {
    const mine = writes.filter((w) => w.routeTableId === t.id);
    if (mine.length === 0) return t;
    let routes = [...t.routes];
    for (const w of mine) {
      routes = routes.filter((r) => r.destination !== w.cidr);
      if (w.after !== undefined) routes.push(w.after);
    }
    return { ...t, routes };
  });
}

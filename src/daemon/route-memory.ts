// What the daemon remembers about its routes between reads, folded from its
// reads and its own writes: since when each route has pointed where it
// points (the stale-verdict rule), our writes EC2 does not show yet
// (eventual consistency), since when EC2 has not known an owner, when we
// last changed each route (hold-down) and which routes flap. It hands the
// planner these as plain values (facts()); it decides nothing itself.
import type { Logger } from '../log/logger.js';
import type { PlannedAction } from '../core/plan.js';
import { Reason } from '../core/reasons.js';
import { unseenOwnWrites, type OwnWrite } from '../core/own-writes.js';
import { describeTarget, findRoute, routeKey, targetFromId } from '../core/targets.js';
import { GONE, type PlanInput, type RouteTableView, type RouteView } from '../core/types.js';
import { FlapDetector } from './flap.js';

export class RouteMemory {
  /** Our route writes of the last seconds, until reads show them. */
  private ownWrites: OwnWrite[] = [];
  /** By route key: until when to hold changes of routes whose write the last read did not show. */
  private unseenWrites: Record<string, number> = {};
  /** By route key: the target as we last knew it ('' when missing), since when it has pointed there, when last seen. */
  private readonly owners = new Map<string, { target: string; since: number; seenAt: number; previous?: string }>();
  /** By instance id: since when EC2 has said that this owner does not exist. */
  private goneSince = new Map<string, number>();
  /** By route key: when this daemon last made the route point at us. */
  private readonly lastChange = new Map<string, number>();
  private readonly flaps: FlapDetector;

  constructor(log: Logger, instanceId: string) {
    this.flaps = new FlapDetector(log, instanceId);
  }

  /**
   * Notes a fresh read at `now`: which of our recent writes it does not show
   * yet, the owners EC2 says do not exist (with the time it first said so),
   * and route owner changes. `full`: a read of every table (what it no longer
   * mentions is forgotten); `managed`: the CIDRs the config manages.
   */
  seen(tables: readonly RouteTableView[], owners: PlanInput['owners'], full: boolean, managed: ReadonlySet<string>, now: number): void {
    const o = unseenOwnWrites(tables, this.ownWrites, now);
    this.ownWrites = [...o.pending];
    this.unseenWrites = { ...(full ? {} : this.unseenWrites), ...o.unseen };
    this.noteOwners(tables, managed, now, new Set(Object.keys(o.unseen)));
    const gone = new Map<string, number>();
    for (const [id, f] of Object.entries(owners)) if (f.state === GONE) gone.set(id, this.goneSince.get(id) ?? now);
    if (!full) for (const [id, since] of this.goneSince) if (owners[id] === undefined) gone.set(id, since);
    this.goneSince = gone;
  }

  /**
   * Since when each managed route has pointed where it points: a change seen
   * in a read (or made by our own write, wrote()) starts a new owner period.
   * Routes whose own write the read does not show yet keep theirs.
   */
  private noteOwners(tables: readonly RouteTableView[], managed: ReadonlySet<string>, now: number, unseen: ReadonlySet<string>): void {
    for (const t of tables)
      for (const cidr of managed) {
        const key = routeKey(t.id, cidr);
        if (unseen.has(key)) continue;
        const r = t.routes.find((x) => x.destination === cidr);
        const target = r === undefined ? '' : describeTarget(r).target;
        const known = this.owners.get(key);
        // A change is dated to the last moment we still knew the previous target: the new owner took the
        // route after that (dating it to this read would discard real failures seen in between).
        if (known === undefined) this.owners.set(key, { target, since: now, seenAt: now });
        else if (known.target === target) this.owners.set(key, { ...known, seenAt: now });
        else this.owners.set(key, { target, since: known.seenAt, seenAt: now, ...(known.target !== '' ? { previous: known.target } : {}) });
      }
  }

  /** A full read: routes we took back and lost again are counted for flap detection. */
  fullRead(ownerOf: (key: string) => string | undefined): void {
    this.flaps.update(ownerOf);
  }

  /**
   * Remembers our successful writes at `now`, with each route as `before`
   * showed it: a new owner period, a pending own write, the hold-down start,
   * and a take-back for flap detection. Returns the writes, as routes.
   */
  wrote(done: readonly PlannedAction[], before: readonly RouteTableView[], now: number): OwnWrite[] {
    const writes: OwnWrite[] = [];
    for (const a of done) {
      const key = routeKey(a.routeTableId, a.cidr);
      const after: RouteView | undefined =
        a.action === 'delete' || a.target === undefined ? undefined : { destination: a.cidr, target: targetFromId(a.target), state: 'active' };
      // No `previous` for our own write: it names who handed a route to us, and we took this one ourselves.
      this.owners.set(key, { target: after === undefined ? '' : describeTarget(after).target, since: now, seenAt: now });
      const w = { routeTableId: a.routeTableId, cidr: a.cidr, before: findRoute(before, a.routeTableId, a.cidr), after, at: now };
      this.ownWrites = [...this.ownWrites.filter((x) => x.routeTableId !== a.routeTableId || x.cidr !== a.cidr), w];
      writes.push(w);
      if (a.action === 'delete') continue;
      this.lastChange.set(key, now);
      if (a.reason === Reason.Handoff || a.reason === Reason.HandoffFallback || a.reason === Reason.CheckUnhealthyFallback) this.flaps.forget(key);
      if (a.reason === Reason.Preempt && a.current !== undefined) this.flaps.tookBack(key, a.current.ownerInstanceId ?? a.current.target, now);
    }
    return writes;
  }

  /** What the planner needs of this memory. */
  facts(): Pick<PlanInput, 'lastChange' | 'goneSince' | 'ownerSince' | 'unseenWrites' | 'flapping' | 'previousTarget'> {
    const previousTarget: Record<string, string> = {};
    for (const [k, o] of this.owners) if (o.previous !== undefined) previousTarget[k] = o.previous;
    return {
      previousTarget,
      lastChange: Object.fromEntries(this.lastChange),
      goneSince: Object.fromEntries(this.goneSince),
      ownerSince: Object.fromEntries([...this.owners].map(([k, o]) => [k, o.since])),
      unseenWrites: this.unseenWrites,
      flapping: this.flaps.snapshot(),
    };
  }

  flappingRoutes(): { routeTable: string; cidr: string; other: string }[] {
    return this.flaps.routes();
  }

  /** A reload: flap verdicts start over (the config may have fixed the fight). */
  clearFlaps(): void {
    this.flaps.clear();
  }
}

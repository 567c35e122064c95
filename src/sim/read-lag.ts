// Eventual consistency modelled as read lag. AWS documents that "the result
// of an API command you run that affects your Amazon EC2 resources might not
// be immediately visible to all subsequent commands you run"
// (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
// With `timing.readLagMs` = N > 0, describe calls read a ReadView: the state
// as it was N ms ago, rebuilt by rolling the mutation log's newest entries
// back (each route entry's `before` is the route as it was, each instance
// entry's `before` the state it had). Mutating calls keep checking the
// current state, which is AWS's authority.
//
// Rolled back: route table routes (created, replaced, deleted), instance
// states (and so which instances exist) and the route states that follow
// the instance states. Shown as they are now: tables, associations, tags,
// interfaces and their attachments, source/dest checks, status checks, NAT
// gateways and the route states that follow them.
import { instancesNotFound } from './errors.js';
import type { Instance, InstanceStateName, Route, RouteTable, RouteTarget } from './model.js';
import type { TargetView } from './mutations.js';
import type { Ec2State } from './state.js';

function targetOf(v: TargetView): RouteTarget {
  if (v.networkInterfaceId !== undefined) return { kind: 'eni', eniId: v.networkInterfaceId, instanceId: v.instanceId };
  if (v.natGatewayId !== undefined) return { kind: 'nat', natGatewayId: v.natGatewayId };
  if (v.gatewayId === 'local') return { kind: 'local' };
  return { kind: 'gateway', gatewayId: v.gatewayId ?? '' };
}

export class ReadView {
  /** For each table changed since `at`: each changed destination's route as it was at `at` (null: there was none). */
  private readonly routes = new Map<string, Map<string, Route | null>>();
  /** Each instance changed since `at`: its state at `at` (null: it did not exist yet). */
  private readonly instanceStates = new Map<string, InstanceStateName | null>();
  private readonly affected = new Map<string, boolean>();

  constructor(
    private readonly state: Ec2State,
    /** The monotonic time this view shows. */
    readonly at: number,
  ) {
    // The log is in time order (Ec2State.record settles due phases first),
    // so the entries after `at` are its tail. Walking back, the last write
    // for a key is its oldest entry after `at`, whose `before` is the value at `at`.
    const log = state.log;
    for (let i = log.length - 1; i >= 0; i--) {
      const m = log[i]!;
      if (m.tMs <= at) break;
      if (m.kind === 'route') {
        let changed = this.routes.get(m.routeTableId);
        if (changed === undefined) {
          changed = new Map();
          this.routes.set(m.routeTableId, changed);
        }
        changed.set(
          m.cidr,
          m.before === null
            ? null
            : { dest: m.cidr, family: m.cidr.includes(':') ? 6 : 4, target: targetOf(m.before), origin: 'CreateRoute' },
        );
      } else if (m.kind === 'instance') {
        this.instanceStates.set(m.instanceId, m.before?.state ?? null);
      }
    }
  }

  /** The instance as a describe call sees it: with its state at `at`, or undefined if it did not exist yet or was no longer visible. */
  instance(i: Instance): Instance | undefined {
    const then = this.instanceStates.get(i.id);
    if (then === null) return undefined;
    const seen = then === undefined || then === i.state ? i : { ...i, state: then };
    return this.state.isVisible(seen, this.at) ? seen : undefined;
  }

  /** All instances seen at `at`, or the named ones (InvalidInstanceID.NotFound naming every id not seen). */
  instances(ids: readonly string[]): Instance[] {
    if (ids.length === 0) {
      const out: Instance[] = [];
      for (const i of this.state.instances.values()) {
        const seen = this.instance(i);
        if (seen !== undefined) out.push(seen);
      }
      return out;
    }
    const found = ids.map((id) => {
      const i = this.state.instances.get(id);
      return i !== undefined ? this.instance(i) : undefined;
    });
    const missing = ids.filter((_, n) => found[n] === undefined);
    if (missing.length > 0) throw instancesNotFound([...new Set(missing)]);
    return found as Instance[];
  }

  /** Whether the table looks different at `at` than now: a route changed since, or a route's instance changed state since. */
  affects(t: RouteTable): boolean {
    let hit = this.affected.get(t.id);
    if (hit === undefined) {
      hit = this.routes.has(t.id);
      if (!hit && this.instanceStates.size > 0) {
        for (const r of t.routes.values()) {
          if (r.target.kind !== 'eni') continue;
          const attachedTo = this.state.enis.get(r.target.eniId)?.attachment?.instanceId;
          if (
            (r.target.instanceId !== undefined && this.instanceStates.has(r.target.instanceId)) ||
            (attachedTo !== undefined && this.instanceStates.has(attachedTo))
          ) {
            hit = true;
            break;
          }
        }
      }
      this.affected.set(t.id, hit);
    }
    return hit;
  }

  /** The table's routes as they were at `at`: current order, routes deleted since at the end. */
  routesOf(t: RouteTable): Route[] {
    const changed = this.routes.get(t.id);
    if (changed === undefined) return [...t.routes.values()];
    const out: Route[] = [];
    for (const r of t.routes.values()) {
      if (!changed.has(r.dest)) out.push(r);
      else {
        const then = changed.get(r.dest);
        if (then != null) out.push({ ...then, origin: r.origin });
      }
    }
    for (const [dest, then] of changed) if (then !== null && !t.routes.has(dest)) out.push(then);
    return out;
  }

  /**
   * How a route target looked at `at`. An interface route whose instance
   * changed state since follows the instance's state then (`active` only if
   * it was running); the interface counts as attached to it then, since
   * termination is what detached or deleted it. Anything else looks as it
   * does now.
   */
  targetView(t: RouteTable, target: RouteTarget): TargetView {
    if (target.kind === 'eni') {
      const eni = this.state.enis.get(target.eniId);
      const instanceId = eni?.attachment?.instanceId ?? target.instanceId;
      const then = instanceId !== undefined ? this.instanceStates.get(instanceId) : undefined;
      if (instanceId !== undefined && then !== undefined) {
        return {
          instanceId,
          instanceOwnerId: this.state.accountId,
          networkInterfaceId: target.eniId,
          state: then === 'running' ? 'active' : 'blackhole',
        };
      }
    }
    return this.state.targetView(t, target);
  }
}

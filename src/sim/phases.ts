// Instance phases: `pending` -> running, `stopping` -> stopped,
// `shutting-down` -> terminated, each lasting its `timing` length; and NAT
// gateway phases: `pending` -> available, `deleting` -> deleted. A phase
// ends lazily, on the next settle (every read and every record settles
// first), stamped with the time it really ended and in the order phases
// ended (instances and gateways together), so the mutation log stays in
// time order. Terminated instances are forgotten once no read, however
// lagged, can see them.
import type { Instance, InstanceStateName, NatGateway, NatGatewayState } from './model.js';
import type { Who } from './mutations.js';
import type { Ec2State } from './state.js';

export class InstancePhases {
  private readonly transitioning = new Set<string>();
  /** NAT gateways in `pending` or `deleting`. */
  private readonly natTransitioning = new Set<string>();
  /** `deleted` or `failed` NAT gateways not yet forgotten. */
  private readonly natGone = new Set<string>();
  /** Terminated instances not yet forgotten (see forgetExpired). */
  private readonly terminated = new Set<string>();
  private settling = false;

  constructor(private readonly s: Ec2State) {}

  /** Moves instances whose transitional phase has ended into their next state, in the order the phases ended; forgets long-gone terminated instances. */
  settle(): void {
    if (this.settling || (this.transitioning.size === 0 && this.terminated.size === 0 && this.natTransitioning.size === 0 && this.natGone.size === 0))
      return;
    this.settling = true;
    try {
      this.settlePhases();
      this.forgetExpired();
    } finally {
      this.settling = false;
    }
  }

  /** Starts a phase (`pending`, `stopping`, `shutting-down`) that ends after `ms`, or skips straight to its end. */
  enter(inst: Instance, phase: InstanceStateName, ms: number, who: Who): void {
    this.setState(inst, phase, who);
    this.scheduleEnd(inst, ms, who);
  }

  /** Ends the instance's current phase `ms` from now (at once if 0), logged under `who`. */
  scheduleEnd(inst: Instance, ms: number, who: Who): void {
    inst.phaseEndsAt = this.s.clock.now() + ms;
    inst.phaseCause = { action: who.action, caller: who.caller };
    this.transitioning.add(inst.id);
    if (ms <= 0) this.settle();
  }

  /**
   * Puts a NAT gateway into `pending` (`created`: it is new) or `deleting`,
   * ending `ms` from now (at once if 0) in `available` (`failed` if it has a
   * failure) or `deleted`.
   */
  enterNat(g: NatGateway, phase: 'pending' | 'deleting', ms: number, who: Who, created?: 'created'): void {
    this.setNatState(g, phase, who, undefined, created !== undefined);
    g.phaseEndsAt = this.s.clock.now() + ms;
    g.phaseCause = { action: who.action, caller: who.caller };
    this.natTransitioning.add(g.id);
    if (ms <= 0) this.settle();
  }

  /** A NAT gateway became `deleted` or `failed` at monotonic `at`; it is forgotten `timing.natGatewayDeletedVisibleMs` later. */
  noteNatGone(g: NatGateway, at: number): void {
    g.goneAt = at;
    this.natGone.add(g.id);
  }

  private settlePhases(): void {
    if (this.transitioning.size === 0 && this.natTransitioning.size === 0) return;
    const now = this.s.clock.now();
    const due: (Instance | NatGateway)[] = [];
    for (const id of [...this.transitioning]) {
      const inst = this.s.instances.get(id);
      if (inst === undefined || inst.phaseEndsAt === undefined) {
        this.transitioning.delete(id);
        continue;
      }
      if (inst.phaseEndsAt <= now) due.push(inst);
    }
    for (const id of [...this.natTransitioning]) {
      const g = this.s.natGateways.get(id);
      if (g === undefined || g.phaseEndsAt === undefined) {
        this.natTransitioning.delete(id);
        continue;
      }
      if (g.phaseEndsAt <= now) due.push(g);
    }
    due.sort((a, b) => (a.phaseEndsAt ?? 0) - (b.phaseEndsAt ?? 0));
    for (const item of due) {
      if ('connectivityType' in item) {
        this.endNatPhase(item, now);
        continue;
      }
      const inst = item;
      const id = inst.id;
      const at = inst.phaseEndsAt ?? now;
      this.transitioning.delete(id);
      inst.phaseEndsAt = undefined;
      const next: InstanceStateName | undefined =
        inst.state === 'pending'
          ? 'running'
          : inst.state === 'stopping'
            ? 'stopped'
            : inst.state === 'shutting-down'
              ? 'terminated'
              : undefined;
      const cause = inst.phaseCause ?? { action: 'phase-end', caller: 'sim' };
      inst.phaseCause = undefined;
      if (next !== undefined) this.setState(inst, next, cause, at);
    }
  }

  /**
   * Drops terminated instances that no read can see any more: expired even
   * for a describe call lagging by `readLagMs`. Until then they stay in the
   * map and the visibility checks hide them.
   */
  private forgetExpired(): void {
    this.forgetGoneNatGateways();
    if (this.terminated.size === 0) return;
    const now = this.s.clock.now();
    for (const id of this.terminated) {
      const inst = this.s.instances.get(id);
      if (inst?.state !== 'terminated' || inst.terminatedAt === undefined) {
        this.terminated.delete(id);
        continue;
      }
      if (now - inst.terminatedAt >= this.s.timing.terminatedVisibleMs + this.s.timing.readLagMs) {
        this.terminated.delete(id);
        this.s.instances.delete(id);
        this.s.version++;
      }
    }
  }

  /** Drops `deleted` and `failed` NAT gateways listed for `timing.natGatewayDeletedVisibleMs` (routes to them stay, `blackhole`). */
  private forgetGoneNatGateways(): void {
    if (this.natGone.size === 0) return;
    const now = this.s.clock.now();
    for (const id of this.natGone) {
      const g = this.s.natGateways.get(id);
      if (g === undefined || g.goneAt === undefined) {
        this.natGone.delete(id);
        continue;
      }
      if (now - g.goneAt >= this.s.timing.natGatewayDeletedVisibleMs) {
        this.natGone.delete(id);
        this.s.natGateways.delete(id);
        this.s.version++;
      }
    }
  }

  private endNatPhase(g: NatGateway, now: number): void {
    const at = g.phaseEndsAt ?? now;
    this.natTransitioning.delete(g.id);
    g.phaseEndsAt = undefined;
    const cause = g.phaseCause ?? { action: 'phase-end', caller: 'sim' };
    g.phaseCause = undefined;
    const next: NatGatewayState | undefined =
      g.state === 'pending' ? (g.failure !== undefined ? 'failed' : 'available') : g.state === 'deleting' ? 'deleted' : undefined;
    if (next === undefined) return;
    if (next === 'deleted') g.deleteTimeWall = this.s.clock.wall() - (now - at);
    this.setNatState(g, next, cause, at);
  }

  private setNatState(g: NatGateway, next: NatGatewayState, who: Who, at?: number, created = false): void {
    const before = created ? null : g.state;
    g.state = next;
    if (next === 'deleted' || next === 'failed') this.noteNatGone(g, at ?? this.s.clock.now());
    this.s.record({ kind: 'resource', ...who, resourceId: g.id, detail: { state: { before, after: next } } }, at);
  }

  private setState(inst: Instance, next: InstanceStateName, who: Who, at?: number): void {
    const before = inst.state;
    inst.state = next;
    if (next === 'terminated') {
      inst.terminatedAt = at ?? this.s.clock.now();
      this.terminated.add(inst.id);
      this.releaseInterfaces(inst);
    }
    this.s.record({ kind: 'instance', ...who, instanceId: inst.id, before: { state: before }, after: { state: next } }, at);
  }

  private releaseInterfaces(inst: Instance): void {
    for (const eniId of inst.eniIds) {
      const eni = this.s.enis.get(eniId);
      if (eni === undefined) continue;
      if (eni.attachment?.deleteOnTermination === true) this.s.enis.delete(eniId);
      else eni.attachment = undefined;
    }
    inst.eniIds.length = 0;
  }
}

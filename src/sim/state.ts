// The simulated EC2 region: resources, their relations, lookups, how a route
// target looks (active or blackhole), instance phases and the mutation log.
// Pure in-memory, no I/O; time comes from the injected clock.
//
// The operations live in ops/ and are two-step: `prepareX(state, ...)`
// validates and throws the error AWS would answer with, then returns a thunk
// that applies the change. The server runs the thunk only when the request is
// not a DryRun, so a DryRun can never have a side effect.
import type { Clock } from './clock.js';
import { parseCidr } from './cidr.js';
import { Ec2Error, instancesNotFound, notFound } from './errors.js';
import { IdFactory, idPrefix } from './ids.js';
import type {
  Association,
  Instance,
  InstanceStateName,
  InternetGateway,
  NetworkInterface,
  Route,
  RouteTable,
  RouteTarget,
  StatusValue,
  Subnet,
  Tags,
  Vpc,
} from './model.js';
import { ReadView } from './read-lag.js';

export interface Timing {
  /** How long `pending` lasts after RunInstances or StartInstances. */
  readonly pendingMs: number;
  /** How long `stopping` lasts after StopInstances. */
  readonly stoppingMs: number;
  /** How long `shutting-down` lasts after TerminateInstances. */
  readonly shuttingDownMs: number;
  /**
   * How long a terminated instance stays visible. AWS: "Terminated instances
   * remain visible after termination (for approximately one hour)"
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ApiReference-query-TerminateInstances.html);
   * after that describe calls no longer list it and naming it is
   * InvalidInstanceID.NotFound.
   */
  readonly terminatedVisibleMs: number;
  /**
   * Eventual consistency as read lag: describe calls answer from the state as
   * it was this long ago (route table routes, instance states and the route
   * states that follow them); mutating calls check the current state. AWS:
   * "the result of an API command you run that affects your Amazon EC2
   * resources might not be immediately visible to all subsequent commands you
   * run" (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
   */
  readonly readLagMs: number;
}

/** One hour, AWS's "approximately one hour" for terminated instances. */
export const TERMINATED_VISIBLE_MS = 3_600_000;

export const DEFAULT_TIMING: Timing = {
  pendingMs: 0,
  stoppingMs: 0,
  shuttingDownMs: 0,
  terminatedVisibleMs: TERMINATED_VISIBLE_MS,
  readLagMs: 0,
};

/** How a route target looks from outside (DescribeRouteTables, the mutation log). */
export interface TargetView {
  readonly gatewayId?: string;
  readonly instanceId?: string;
  readonly instanceOwnerId?: string;
  readonly networkInterfaceId?: string;
  readonly state: 'active' | 'blackhole';
}

export interface RouteMutation {
  readonly kind: 'route';
  readonly seq: number;
  readonly time: string;
  readonly tMs: number;
  readonly wallMs: number;
  readonly action: string;
  readonly caller: string;
  readonly routeTableId: string;
  readonly cidr: string;
  readonly before: TargetView | null;
  readonly after: TargetView | null;
}

export interface InstanceMutation {
  readonly kind: 'instance';
  readonly seq: number;
  readonly time: string;
  readonly tMs: number;
  readonly wallMs: number;
  readonly action: string;
  readonly caller: string;
  readonly instanceId: string;
  readonly before: { readonly state: InstanceStateName } | null;
  readonly after: { readonly state: InstanceStateName };
}

export interface ResourceMutation {
  readonly kind: 'resource';
  readonly seq: number;
  readonly time: string;
  readonly tMs: number;
  readonly wallMs: number;
  readonly action: string;
  readonly caller: string;
  readonly resourceId: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type Mutation = RouteMutation | InstanceMutation | ResourceMutation;

type NoStamp<T> = T extends unknown ? Omit<T, 'seq' | 'time' | 'tMs' | 'wallMs'> : never;

export interface TargetInput {
  readonly instanceId?: string | undefined;
  readonly networkInterfaceId?: string | undefined;
  readonly gatewayId?: string | undefined;
}

export interface Who {
  readonly action: string;
  readonly caller: string;
}

export type Apply<T = void> = () => T;

export const MULTI_ENI = (id: string): Ec2Error =>
  new Ec2Error(
    'InvalidInstanceID',
    `There are multiple interfaces attached to instance '${id}'. Please specify an interface ID for the operation instead.`,
  );

export class Ec2State {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly igws = new Map<string, InternetGateway>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly instances = new Map<string, Instance>();
  readonly enis = new Map<string, NetworkInterface>();
  readonly log: Mutation[] = [];
  readonly ids = new IdFactory();
  /** Bumped on every change that a Describe could show; response caches key on it. */
  version = 0;
  private seq = 0;
  private readonly transitioning = new Set<string>();
  /** Terminated instances not yet forgotten (see forgetExpired). */
  private readonly terminated = new Set<string>();
  private settling = false;
  private readonly createdListeners: ((i: Instance) => void)[] = [];

  constructor(
    readonly clock: Clock,
    readonly region: string,
    readonly accountId: string,
    public timing: Timing = DEFAULT_TIMING,
  ) {}

  // ---- bookkeeping -------------------------------------------------------

  /** The log keeps at most this many entries; the oldest half goes when it is full (seq numbers keep counting). */
  static readonly LOG_LIMIT = 200_000;

  record(m: NoStamp<Mutation>, atMs?: number): void {
    // Phases that ended before now are logged first, so the log stays in
    // time order (read lag walks it backwards from the newest entry).
    this.settle();
    if (this.log.length >= Ec2State.LOG_LIMIT) this.log.splice(0, Ec2State.LOG_LIMIT / 2);
    const tMs = atMs ?? this.clock.now();
    const wallMs = this.clock.wall() - (this.clock.now() - tMs);
    this.seq++;
    this.log.push({ ...m, seq: this.seq, tMs, wallMs, time: new Date(wallMs).toISOString() });
    this.version++;
  }

  onInstanceCreated(fn: (i: Instance) => void): void {
    this.createdListeners.push(fn);
  }

  /** Moves instances whose transitional phase has ended into their next state, in the order the phases ended; forgets long-gone terminated instances. */
  settle(): void {
    if (this.settling || (this.transitioning.size === 0 && this.terminated.size === 0)) return;
    this.settling = true;
    try {
      this.settlePhases();
      this.forgetExpired();
    } finally {
      this.settling = false;
    }
  }

  private settlePhases(): void {
    if (this.transitioning.size === 0) return;
    const now = this.clock.now();
    const due: Instance[] = [];
    for (const id of [...this.transitioning]) {
      const inst = this.instances.get(id);
      if (inst === undefined || inst.phaseEndsAt === undefined) {
        this.transitioning.delete(id);
        continue;
      }
      if (inst.phaseEndsAt <= now) due.push(inst);
    }
    due.sort((a, b) => (a.phaseEndsAt ?? 0) - (b.phaseEndsAt ?? 0));
    for (const inst of due) {
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
    if (this.terminated.size === 0) return;
    const now = this.clock.now();
    for (const id of this.terminated) {
      const inst = this.instances.get(id);
      if (inst?.state !== 'terminated' || inst.terminatedAt === undefined) {
        this.terminated.delete(id);
        continue;
      }
      if (now - inst.terminatedAt >= this.timing.terminatedVisibleMs + this.timing.readLagMs) {
        this.terminated.delete(id);
        this.instances.delete(id);
        this.version++;
      }
    }
  }

  private setState(inst: Instance, next: InstanceStateName, who: Who, at?: number): void {
    const before = inst.state;
    inst.state = next;
    if (next === 'terminated') {
      inst.terminatedAt = at ?? this.clock.now();
      this.terminated.add(inst.id);
      this.releaseInterfaces(inst);
    }
    this.record({ kind: 'instance', ...who, instanceId: inst.id, before: { state: before }, after: { state: next } }, at);
  }

  /** Starts a phase (`pending`, `stopping`, `shutting-down`) that ends after `ms`, or skips straight to its end. */
  enterPhase(inst: Instance, phase: InstanceStateName, ms: number, who: Who): void {
    this.setState(inst, phase, who);
    this.schedulePhaseEnd(inst, ms, who);
  }

  /** Ends the instance's current phase `ms` from now (at once if 0), logged under `who`. */
  schedulePhaseEnd(inst: Instance, ms: number, who: Who): void {
    inst.phaseEndsAt = this.clock.now() + ms;
    inst.phaseCause = { action: who.action, caller: who.caller };
    this.transitioning.add(inst.id);
    if (ms <= 0) this.settle();
  }

  private releaseInterfaces(inst: Instance): void {
    for (const eniId of inst.eniIds) {
      const eni = this.enis.get(eniId);
      if (eni === undefined) continue;
      if (eni.attachment?.deleteOnTermination === true) this.enis.delete(eniId);
      else eni.attachment = undefined;
    }
    inst.eniIds.length = 0;
  }

  // ---- lookups -----------------------------------------------------------

  routeTable(id: string): RouteTable {
    const t = this.routeTables.get(id);
    if (t === undefined) throw notFound('routeTable', 'InvalidRouteTableID.NotFound', id);
    return t;
  }
  /** An instance that exists and is still visible now (a terminated one stays visible for `timing.terminatedVisibleMs`). */
  instance(id: string): Instance {
    const i = this.liveInstance(id);
    if (i === undefined) throw instancesNotFound([id]);
    return i;
  }
  /** The named instances (duplicates kept), or InvalidInstanceID.NotFound naming every one that is missing. */
  instancesByIds(ids: readonly string[]): Instance[] {
    const found = ids.map((id) => this.liveInstance(id));
    const missing = ids.filter((id, n) => found[n] === undefined);
    if (missing.length > 0) throw instancesNotFound([...new Set(missing)]);
    return found as Instance[];
  }
  private liveInstance(id: string): Instance | undefined {
    const i = this.instances.get(id);
    return i !== undefined && this.isVisible(i, this.clock.now()) ? i : undefined;
  }
  /** Whether an instance can be seen at monotonic time `at`: not terminated `timing.terminatedVisibleMs` or more before it. */
  isVisible(i: Instance, at: number): boolean {
    return !(i.state === 'terminated' && i.terminatedAt !== undefined && at - i.terminatedAt >= this.timing.terminatedVisibleMs);
  }
  /** The instances visible now, in creation order. */
  visibleInstances(): Instance[] {
    const now = this.clock.now();
    return [...this.instances.values()].filter((i) => this.isVisible(i, now));
  }

  /**
   * The view describe calls read: the state as it was `timing.readLagMs` ago,
   * or undefined when there is no lag (read the state itself).
   */
  laggedView(): ReadView | undefined {
    const lag = this.timing.readLagMs;
    return lag > 0 ? new ReadView(this, this.clock.now() - lag) : undefined;
  }

  /**
   * The instances a describe call sees: all of them, or the named ones
   * (InvalidInstanceID.NotFound naming every id it cannot see), each with the
   * state it had at the read time (now, or `timing.readLagMs` ago).
   */
  describableInstances(ids: readonly string[]): Instance[] {
    const view = this.laggedView();
    if (view === undefined) return ids.length > 0 ? this.instancesByIds(ids) : this.visibleInstances();
    return view.instances(ids);
  }
  eni(id: string): NetworkInterface {
    const e = this.enis.get(id);
    if (e === undefined) throw notFound('network interface', 'InvalidNetworkInterfaceID.NotFound', id);
    return e;
  }
  vpc(id: string): Vpc {
    const v = this.vpcs.get(id);
    if (v === undefined) throw notFound('vpc', 'InvalidVpcID.NotFound', id);
    return v;
  }
  subnet(id: string): Subnet {
    const s = this.subnets.get(id);
    if (s === undefined) throw notFound('subnet', 'InvalidSubnetID.NotFound', id);
    return s;
  }

  /** The interfaces currently attached to an instance, primary first. */
  attachedEnis(inst: Instance): NetworkInterface[] {
    const out: NetworkInterface[] = [];
    for (const id of inst.eniIds) {
      const e = this.enis.get(id);
      if (e?.attachment?.instanceId === inst.id) out.push(e);
    }
    return out;
  }

  /** The instance-level source/dest check: its primary interface's. */
  instanceSourceDestCheck(inst: Instance): boolean | undefined {
    return this.attachedEnis(inst)[0]?.sourceDestCheck;
  }

  effectiveStatus(inst: Instance): { instance: StatusValue; system: StatusValue } {
    if (inst.state === 'pending') return { instance: 'initializing', system: 'initializing' };
    if (inst.state !== 'running') return { instance: 'not-applicable', system: 'not-applicable' };
    return { instance: inst.instanceStatus ?? 'ok', system: inst.systemStatus ?? 'ok' };
  }

  targetView(table: RouteTable, target: RouteTarget): TargetView {
    switch (target.kind) {
      case 'local':
        return { gatewayId: 'local', state: 'active' };
      case 'gateway': {
        const igw = this.igws.get(target.gatewayId);
        return { gatewayId: target.gatewayId, state: igw?.vpcId === table.vpcId ? 'active' : 'blackhole' };
      }
      case 'eni': {
        const eni = this.enis.get(target.eniId);
        if (eni === undefined) {
          return target.instanceId !== undefined
            ? {
                instanceId: target.instanceId,
                instanceOwnerId: this.accountId,
                networkInterfaceId: target.eniId,
                state: 'blackhole',
              }
            : { networkInterfaceId: target.eniId, state: 'blackhole' };
        }
        const att = eni.attachment;
        if (att === undefined) return { networkInterfaceId: eni.id, state: 'blackhole' };
        const inst = this.instances.get(att.instanceId);
        return {
          instanceId: att.instanceId,
          instanceOwnerId: this.accountId,
          networkInterfaceId: eni.id,
          state: inst?.state === 'running' ? 'active' : 'blackhole',
        };
      }
    }
  }

  // ---- route tables, VPCs, subnets ---------------------------------------

  /** Adds a table with its `local` routes; used by the world loader and CreateRouteTable. */
  addRouteTable(id: string, vpc: Vpc, tags: Tags, main: boolean): RouteTable {
    const routes = new Map<string, Route>();
    const local = { kind: 'local' } as const;
    const v4 = parseCidr(vpc.cidr);
    if (v4 !== undefined) routes.set(v4.text, { dest: v4.text, family: 4, target: local, origin: 'CreateRouteTable' });
    const v6 = vpc.ipv6Cidr !== undefined ? parseCidr(vpc.ipv6Cidr) : undefined;
    if (v6 !== undefined) routes.set(v6.text, { dest: v6.text, family: 6, target: local, origin: 'CreateRouteTable' });
    const associations: Association[] = main ? [{ id: this.ids.next('rtbassoc'), main: true, subnetId: undefined }] : [];
    const table: RouteTable = { id, vpcId: vpc.id, tags, routes, associations };
    this.routeTables.set(id, table);
    this.version++;
    return table;
  }

  /** The table explicitly associated with a subnet, if any. */
  tableOfSubnet(subnetId: string): RouteTable | undefined {
    for (const t of this.routeTables.values()) if (t.associations.some((a) => a.subnetId === subnetId)) return t;
    return undefined;
  }

  // ---- instances ---------------------------------------------------------

  addInstance(inst: Instance): void {
    this.instances.set(inst.id, inst);
    this.version++;
    for (const fn of this.createdListeners) fn(inst);
  }

  // ---- tags --------------------------------------------------------------

  tagsOf(id: string): Tags {
    const found =
      this.routeTables.get(id) ??
      this.liveInstance(id) ??
      this.enis.get(id) ??
      this.vpcs.get(id) ??
      this.subnets.get(id) ??
      this.igws.get(id);
    if (found !== undefined) return found.tags;
    const prefix = idPrefix(id);
    const codes: Record<string, [string, string]> = {
      rtb: ['routeTable', 'InvalidRouteTableID.NotFound'],
      i: ['instance', 'InvalidInstanceID.NotFound'],
      eni: ['network interface', 'InvalidNetworkInterfaceID.NotFound'],
      vpc: ['vpc', 'InvalidVpcID.NotFound'],
      subnet: ['subnet', 'InvalidSubnetID.NotFound'],
      igw: ['internetGateway', 'InvalidInternetGatewayID.NotFound'],
    };
    const c = prefix !== undefined ? codes[prefix] : undefined;
    if (c === undefined) throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
    throw notFound(c[0], c[1], id);
  }

  // ---- admin-only changes (no AWS API equivalent) ------------------------

  setStatus(instanceId: string, status: { instance?: StatusValue; system?: StatusValue }, who: Who): void {
    const inst = this.instance(instanceId);
    if (status.instance !== undefined) inst.instanceStatus = status.instance;
    if (status.system !== undefined) inst.systemStatus = status.system;
    this.record({ kind: 'resource', ...who, resourceId: inst.id, detail: { status } });
  }

  /** Detaches an interface from its instance (the admin API's way to model a detached ENI). */
  detachEni(eniId: string, who: Who): void {
    const eni = this.eni(eniId);
    const instanceId = eni.attachment?.instanceId;
    eni.attachment = undefined;
    if (instanceId !== undefined) {
      const inst = this.instances.get(instanceId);
      if (inst !== undefined) {
        const i = inst.eniIds.indexOf(eniId);
        if (i !== -1) inst.eniIds.splice(i, 1);
      }
    }
    this.record({ kind: 'resource', ...who, resourceId: eni.id, detail: { detachedFrom: instanceId ?? null } });
  }

  deleteEni(eniId: string, who: Who): void {
    const eni = this.eni(eniId);
    if (eni.attachment !== undefined) this.detachEni(eniId, who);
    this.enis.delete(eniId);
    this.record({ kind: 'resource', ...who, resourceId: eniId, detail: { deleted: true } });
  }
}

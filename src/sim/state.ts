// The simulated EC2 region: resources, their relations, lookups, how a route
// target looks (active or blackhole), and the mutation log. Pure in-memory,
// no I/O; time comes from the injected clock. Instance phases are in
// phases.ts, timing in timing.ts, the log's entries in mutations.ts; the
// operations that change the state are in ops/ (two-step, see ops/types.ts).
import type { Clock } from './clock.js';
import { parseCidr } from './cidr.js';
import { Ec2Error, instancesNotFound, notFound } from './errors.js';
import { IdFactory, idPrefix } from './ids.js';
import { natGatewayCarriesTraffic, type Association, type Instance, type InternetGateway, type NatGateway, type NetworkInterface, type Route, type RouteTable, type RouteTarget, type StatusValue, type Subnet, type Tags, type Vpc } from './model.js';
import type { Mutation, TargetView, Unstamped } from './mutations.js';
import { InstancePhases } from './phases.js';
import { ReadView } from './read-lag.js';
import { DEFAULT_TIMING, type Timing } from './timing.js';

export class Ec2State {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly igws = new Map<string, InternetGateway>();
  /** NAT gateways, in creation order; deleted and failed ones until `timing.natGatewayDeletedVisibleMs` has passed (phases.ts drops them). */
  readonly natGateways = new Map<string, NatGateway>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly instances = new Map<string, Instance>();
  readonly enis = new Map<string, NetworkInterface>();
  readonly log: Mutation[] = [];
  readonly ids = new IdFactory();
  /** Bumped on every change that a Describe could show; response caches key on it. */
  version = 0;
  /** Instance phases; ops start them, every read and record settles them. */
  readonly phases = new InstancePhases(this);
  private seq = 0;
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

  record(m: Unstamped, atMs?: number): void {
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

  /** Brings the state up to now: ends due instance and NAT gateway phases, forgets long-gone terminated instances. */
  settle(): void {
    this.phases.settle();
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

  /**
   * A NAT gateway still listed, in whatever state. Unknown (or no longer listed):
   * NatGatewayNotFound, "The specified NAT gateway does not exist" in AWS's
   * error-code list (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
   */
  natGateway(id: string): NatGateway {
    const g = this.natGateways.get(id);
    if (g === undefined) throw notFound('natGateway', 'NatGatewayNotFound', id);
    return g;
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
      case 'nat': {
        // Route data type: "The blackhole state indicates that the route's
        // target isn't available"; DeleteNatGateway "does not delete any NAT
        // gateway routes in your route tables".
        const g = this.natGateways.get(target.natGatewayId);
        return { natGatewayId: target.natGatewayId, state: g !== undefined && natGatewayCarriesTraffic(g.state) ? 'active' : 'blackhole' };
      }
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
      this.igws.get(id) ??
      this.natGateways.get(id);
    if (found !== undefined) return found.tags;
    const prefix = idPrefix(id);
    const codes: Record<string, [string, string]> = {
      rtb: ['routeTable', 'InvalidRouteTableID.NotFound'],
      i: ['instance', 'InvalidInstanceID.NotFound'],
      eni: ['network interface', 'InvalidNetworkInterfaceID.NotFound'],
      vpc: ['vpc', 'InvalidVpcID.NotFound'],
      subnet: ['subnet', 'InvalidSubnetID.NotFound'],
      igw: ['internetGateway', 'InvalidInternetGatewayID.NotFound'],
      nat: ['natGateway', 'NatGatewayNotFound'],
    };
    const c = prefix !== undefined ? codes[prefix] : undefined;
    if (c === undefined) throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
    throw notFound(c[0], c[1], id);
  }
}

// The simulated EC2 region: resources, their relations, and every operation
// the actions need. Pure in-memory, no I/O; time comes from the injected clock.
//
// Mutations are two-step: `prepareX(...)` validates and throws the error AWS
// would answer with, then returns a thunk that applies the change. The
// server runs the thunk only when the request is not a DryRun, so a DryRun
// can never have a side effect.
import type { Clock } from './clock.js';
import { cidrContains, hasHostBits, parseCidr, type Cidr } from './cidr.js';
import { Ec2Error, invalidValue, notFound } from './errors.js';
import { IdFactory, idPrefix, macFor } from './ids.js';
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

export interface Timing {
  /** How long `pending` lasts after RunInstances or StartInstances. */
  readonly pendingMs: number;
  /** How long `stopping` lasts after StopInstances. */
  readonly stoppingMs: number;
  /** How long `shutting-down` lasts after TerminateInstances. */
  readonly shuttingDownMs: number;
}

export const ZERO_TIMING: Timing = { pendingMs: 0, stoppingMs: 0, shuttingDownMs: 0 };

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

const MULTI_ENI = (id: string): Ec2Error =>
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
  private readonly createdListeners: ((i: Instance) => void)[] = [];

  constructor(
    readonly clock: Clock,
    readonly region: string,
    readonly accountId: string,
    public timing: Timing = ZERO_TIMING,
  ) {}

  // ---- bookkeeping -------------------------------------------------------

  /** The log keeps at most this many entries; the oldest half goes when it is full (seq numbers keep counting). */
  static readonly LOG_LIMIT = 200_000;

  record(m: NoStamp<Mutation>, atMs?: number): void {
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

  /** Moves instances whose transitional phase has ended into their next state. */
  settle(): void {
    if (this.transitioning.size === 0) return;
    const now = this.clock.now();
    for (const id of [...this.transitioning]) {
      const inst = this.instances.get(id);
      if (inst === undefined || inst.phaseEndsAt === undefined) {
        this.transitioning.delete(id);
        continue;
      }
      if (inst.phaseEndsAt > now) continue;
      const at = inst.phaseEndsAt;
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

  private setState(inst: Instance, next: InstanceStateName, who: Who, at?: number): void {
    const before = inst.state;
    inst.state = next;
    if (next === 'terminated') this.releaseInterfaces(inst);
    this.record({ kind: 'instance', ...who, instanceId: inst.id, before: { state: before }, after: { state: next } }, at);
  }

  /** Starts a phase (`pending`, `stopping`, `shutting-down`) that ends after `ms`, or skips straight to its end. */
  private enterPhase(inst: Instance, phase: InstanceStateName, ms: number, who: Who): void {
    this.setState(inst, phase, who);
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
  instance(id: string): Instance {
    const i = this.instances.get(id);
    if (i === undefined) throw notFound('instance', 'InvalidInstanceID.NotFound', id);
    return i;
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

  // ---- routes ------------------------------------------------------------

  private parseDest(value: string, param: string): Cidr {
    const c = parseCidr(value);
    if (c === undefined) throw invalidValue(param, value, 'This is not a valid CIDR block.');
    return c;
  }

  /** Resolves exactly one target into an interface or gateway in the table's VPC. */
  private resolveTarget(table: RouteTable, t: TargetInput): RouteTarget {
    if (t.instanceId !== undefined) {
      const inst = this.instance(t.instanceId);
      const attached = this.attachedEnis(inst);
      if (attached.length > 1) throw MULTI_ENI(inst.id);
      const eni = attached[0];
      if (eni === undefined)
        throw new Ec2Error('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be used as a route target.`);
      this.sameNetwork(table, eni.vpcId, inst.id);
      return { kind: 'eni', eniId: eni.id, instanceId: inst.id };
    }
    if (t.networkInterfaceId !== undefined) {
      const eni = this.eni(t.networkInterfaceId);
      this.sameNetwork(table, eni.vpcId, eni.id);
      return { kind: 'eni', eniId: eni.id, instanceId: eni.attachment?.instanceId };
    }
    const gw = t.gatewayId ?? '';
    const igw = this.igws.get(gw);
    if (igw === undefined) throw notFound('gateway', 'InvalidGatewayID.NotFound', gw);
    if (igw.vpcId !== table.vpcId)
      throw new Ec2Error('InvalidParameterValue', `route table ${table.id} and network gateway ${gw} belong to different networks`);
    return { kind: 'gateway', gatewayId: igw.id };
  }

  private sameNetwork(table: RouteTable, vpcId: string, what: string): void {
    if (vpcId !== table.vpcId)
      throw new Ec2Error('InvalidParameterValue', `route table ${table.id} and network gateway ${what} belong to different networks`);
  }

  prepareCreateRoute(tableId: string, dest: string, param: string, target: TargetInput, who: Who): Apply {
    const table = this.routeTable(tableId);
    const cidr = this.parseDest(dest, param);
    const resolved = this.resolveTarget(table, target);
    if (table.routes.has(cidr.text))
      throw new Ec2Error('RouteAlreadyExists', `The route identified by ${cidr.text} already exists.`);
    return () => {
      table.routes.set(cidr.text, { dest: cidr.text, family: cidr.family, target: resolved, origin: 'CreateRoute' });
      this.record({
        kind: 'route',
        ...who,
        routeTableId: table.id,
        cidr: cidr.text,
        before: null,
        after: this.targetView(table, resolved),
      });
    };
  }

  prepareReplaceRoute(tableId: string, dest: string, param: string, target: TargetInput, who: Who): Apply {
    const table = this.routeTable(tableId);
    const cidr = this.parseDest(dest, param);
    const route = table.routes.get(cidr.text);
    if (route === undefined)
      throw new Ec2Error(
        'InvalidParameterValue',
        `There is no route defined for '${cidr.text}' in the route table. Use CreateRoute instead.`,
      );
    if (route.target.kind === 'local')
      throw new Ec2Error('InvalidParameterValue', `cannot replace local route ${cidr.text} in route table ${table.id}`);
    const resolved = this.resolveTarget(table, target);
    return () => {
      const before = this.targetView(table, route.target);
      route.target = resolved;
      this.record({
        kind: 'route',
        ...who,
        routeTableId: table.id,
        cidr: cidr.text,
        before,
        after: this.targetView(table, resolved),
      });
    };
  }

  prepareDeleteRoute(tableId: string, dest: string, param: string, who: Who): Apply {
    const table = this.routeTable(tableId);
    const cidr = this.parseDest(dest, param);
    const route = table.routes.get(cidr.text);
    if (route === undefined)
      throw new Ec2Error(
        'InvalidRoute.NotFound',
        `no route with destination-cidr-block ${cidr.text} in route table ${table.id}`,
      );
    if (route.target.kind === 'local')
      throw new Ec2Error('InvalidParameterValue', `cannot remove local route ${cidr.text} in route table ${table.id}`);
    return () => {
      const before = this.targetView(table, route.target);
      table.routes.delete(cidr.text);
      this.record({ kind: 'route', ...who, routeTableId: table.id, cidr: cidr.text, before, after: null });
    };
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

  prepareCreateRouteTable(vpcId: string, tags: Tags, who: Who): Apply<RouteTable> {
    const vpc = this.vpc(vpcId);
    return () => {
      const t = this.addRouteTable(this.ids.next('rtb'), vpc, tags, false);
      this.record({ kind: 'resource', ...who, resourceId: t.id, detail: { vpcId } });
      return t;
    };
  }

  /** The table explicitly associated with a subnet, if any. */
  tableOfSubnet(subnetId: string): RouteTable | undefined {
    for (const t of this.routeTables.values()) if (t.associations.some((a) => a.subnetId === subnetId)) return t;
    return undefined;
  }

  prepareAssociateRouteTable(tableId: string, subnetId: string, who: Who): Apply<Association> {
    const table = this.routeTable(tableId);
    const subnet = this.subnet(subnetId);
    if (subnet.vpcId !== table.vpcId)
      throw new Ec2Error('InvalidParameterValue', `Route table ${table.id} and subnet ${subnet.id} belong to different networks`);
    const existing = this.tableOfSubnet(subnetId);
    if (existing !== undefined)
      throw new Ec2Error(
        'Resource.AlreadyAssociated',
        `the specified association for route table ${table.id} conflicts with an existing association`,
      );
    return () => {
      const a: Association = { id: this.ids.next('rtbassoc'), main: false, subnetId };
      table.associations.push(a);
      this.record({ kind: 'resource', ...who, resourceId: table.id, detail: { associationId: a.id, subnetId } });
      return a;
    };
  }

  prepareDisassociateRouteTable(associationId: string, who: Who): Apply {
    for (const table of this.routeTables.values()) {
      const i = table.associations.findIndex((a) => a.id === associationId);
      if (i === -1) continue;
      const a = table.associations[i]!;
      if (a.main)
        throw new Ec2Error('InvalidParameterValue', `cannot disassociate the main route table association ${associationId}`);
      return () => {
        table.associations.splice(i, 1);
        this.record({ kind: 'resource', ...who, resourceId: table.id, detail: { associationId, subnetId: a.subnetId } });
      };
    }
    throw notFound('association', 'InvalidAssociationID.NotFound', associationId);
  }

  prepareCreateVpc(cidrText: string, tags: Tags, who: Who): Apply<Vpc> {
    const cidr = parseCidr(cidrText);
    if (cidr === undefined || cidr.family !== 4 || cidr.prefix < 16 || cidr.prefix > 28)
      throw new Ec2Error('InvalidVpc.Range', `The CIDR '${cidrText}' is invalid.`);
    return () => {
      const vpc: Vpc = { id: this.ids.next('vpc'), cidr: cidr.text, ipv6Cidr: undefined, tags };
      this.vpcs.set(vpc.id, vpc);
      this.addRouteTable(this.ids.next('rtb'), vpc, new Map(), true);
      this.record({ kind: 'resource', ...who, resourceId: vpc.id, detail: { cidr: cidr.text } });
      return vpc;
    };
  }

  prepareCreateSubnet(vpcId: string, cidrText: string, az: string | undefined, tags: Tags, who: Who): Apply<Subnet> {
    const vpc = this.vpc(vpcId);
    const cidr = parseCidr(cidrText);
    const vpcCidr = parseCidr(vpc.cidr);
    if (cidr === undefined || cidr.family !== 4 || hasHostBits(cidr) || cidr.prefix > 28 || vpcCidr === undefined || !cidrContains(vpcCidr, cidr))
      throw new Ec2Error('InvalidSubnet.Range', `The CIDR '${cidrText}' is invalid.`);
    for (const s of this.subnets.values()) {
      if (s.vpcId !== vpcId) continue;
      const other = parseCidr(s.cidr);
      if (other !== undefined && (cidrContains(other, cidr) || cidrContains(cidr, other)))
        throw new Ec2Error('InvalidSubnet.Conflict', `The CIDR '${cidr.text}' conflicts with another subnet`);
    }
    const zone = az ?? `${this.region}a`;
    if (!zone.startsWith(this.region) || !/^[a-z]$/.test(zone.slice(this.region.length)))
      throw new Ec2Error('InvalidParameterValue', `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${this.region}a, ${this.region}b, ${this.region}c.`);
    return () => {
      const s: Subnet = { id: this.ids.next('subnet'), vpcId, az: zone, cidr: cidr.text, tags };
      this.subnets.set(s.id, s);
      this.record({ kind: 'resource', ...who, resourceId: s.id, detail: { vpcId, cidr: cidr.text, az: zone } });
      return s;
    };
  }

  // ---- interfaces and source/dest check ----------------------------------

  prepareSetEniSourceDestCheck(eniId: string, value: boolean, who: Who): Apply {
    const eni = this.eni(eniId);
    return () => {
      const before = eni.sourceDestCheck;
      eni.sourceDestCheck = value;
      this.record({ kind: 'resource', ...who, resourceId: eni.id, detail: { sourceDestCheck: { before, after: value } } });
    };
  }

  prepareSetInstanceSourceDestCheck(instanceId: string, value: boolean, who: Who): Apply {
    const inst = this.instance(instanceId);
    const attached = this.attachedEnis(inst);
    if (attached.length > 1) throw MULTI_ENI(inst.id);
    const primary = attached[0];
    if (primary === undefined)
      throw new Ec2Error('IncorrectInstanceState', `The instance '${inst.id}' has no network interface.`);
    return this.prepareSetEniSourceDestCheck(primary.id, value, who);
  }

  // ---- instances ---------------------------------------------------------

  addInstance(inst: Instance): void {
    this.instances.set(inst.id, inst);
    this.version++;
    for (const fn of this.createdListeners) fn(inst);
  }

  prepareStop(ids: readonly string[], who: Who): Apply<{ id: string; before: InstanceStateName; after: InstanceStateName }[]> {
    const insts = ids.map((id) => this.instance(id));
    for (const i of insts)
      if (i.state === 'terminated' || i.state === 'shutting-down')
        throw new Ec2Error('IncorrectInstanceState', `This instance '${i.id}' is not in a state from which it can be stopped.`);
    return () =>
      insts.map((i) => {
        const before = i.state;
        if (before === 'running' || before === 'pending') this.enterPhase(i, 'stopping', this.timing.stoppingMs, who);
        return { id: i.id, before, after: i.state };
      });
  }

  prepareStart(ids: readonly string[], who: Who): Apply<{ id: string; before: InstanceStateName; after: InstanceStateName }[]> {
    const insts = ids.map((id) => this.instance(id));
    for (const i of insts)
      if (i.state !== 'stopped' && i.state !== 'running' && i.state !== 'pending')
        throw new Ec2Error('IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be started.`);
    return () =>
      insts.map((i) => {
        const before = i.state;
        if (before === 'stopped') this.enterPhase(i, 'pending', this.timing.pendingMs, who);
        return { id: i.id, before, after: i.state };
      });
  }

  prepareTerminate(ids: readonly string[], who: Who): Apply<{ id: string; before: InstanceStateName; after: InstanceStateName }[]> {
    const insts = ids.map((id) => this.instance(id));
    return () =>
      insts.map((i) => {
        const before = i.state;
        if (before !== 'terminated' && before !== 'shutting-down')
          this.enterPhase(i, 'shutting-down', this.timing.shuttingDownMs, who);
        return { id: i.id, before, after: i.state };
      });
  }

  /** Creates a running-soon instance with one primary interface. */
  prepareRun(
    spec: {
      subnetId: string;
      privateIps: readonly string[];
      imdsV2Required: boolean;
      iamRole: string | undefined;
      tags: Tags;
      eniTags: Tags;
      imageId: string;
      instanceType: string;
    },
    who: Who,
  ): Apply<Instance[]> {
    const subnet = this.subnet(spec.subnetId);
    const used = new Set([...this.enis.values()].map((e) => e.privateIp));
    for (const ip of spec.privateIps)
      if (used.has(ip))
        throw new Ec2Error('InvalidIPAddress.InUse', `Address ${ip} is in use.`);
    return () => {
      const reservationId = this.ids.next('r');
      return spec.privateIps.map((ip) => {
        const id = this.ids.next('i');
        const eniId = this.ids.next('eni');
        this.enis.set(eniId, {
          id: eniId,
          subnetId: subnet.id,
          vpcId: subnet.vpcId,
          az: subnet.az,
          privateIp: ip,
          mac: macFor(eniId),
          sourceDestCheck: true,
          attachment: {
            id: this.ids.next('eni-attach'),
            instanceId: id,
            deviceIndex: 0,
            deleteOnTermination: true,
            attachTimeWall: this.clock.wall(),
          },
          tags: new Map(spec.eniTags),
          description: '',
        });
        const inst: Instance = {
          id,
          az: subnet.az,
          subnetId: subnet.id,
          vpcId: subnet.vpcId,
          state: 'pending',
          phaseEndsAt: undefined,
          phaseCause: undefined,
          eniIds: [eniId],
          imdsV2Required: spec.imdsV2Required,
          iamRole: spec.iamRole,
          tags: new Map(spec.tags),
          launchTimeWall: this.clock.wall(),
          instanceStatus: undefined,
          systemStatus: undefined,
          imageId: spec.imageId,
          instanceType: spec.instanceType,
          reservationId,
        };
        this.addInstance(inst);
        this.record({ kind: 'instance', ...who, instanceId: id, before: null, after: { state: 'pending' } });
        inst.phaseEndsAt = this.clock.now() + this.timing.pendingMs;
        inst.phaseCause = { action: who.action, caller: who.caller };
        this.transitioning.add(id);
        if (this.timing.pendingMs <= 0) this.settle();
        return inst;
      });
    };
  }

  /** A free 127.x address for RunInstances without PrivateIpAddress. */
  freeLoopbackIp(taken: ReadonlySet<string> = new Set()): string {
    const used = new Set([...this.enis.values()].map((e) => e.privateIp));
    for (let n = 1; n < 65000; n++) {
      const ip = `127.0.${200 + Math.floor(n / 250)}.${(n % 250) + 1}`;
      if (!used.has(ip) && !taken.has(ip)) return ip;
    }
    throw new Ec2Error('InsufficientFreeAddressesInSubnet', 'No free addresses left in 127.0.200.0/21.');
  }

  // ---- tags --------------------------------------------------------------

  tagsOf(id: string): Tags {
    const found =
      this.routeTables.get(id) ??
      this.instances.get(id) ??
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

  prepareCreateTags(ids: readonly string[], tags: readonly (readonly [string, string])[], who: Who): Apply {
    const targets = ids.map((id) => [id, this.tagsOf(id)] as const);
    for (const [k] of tags)
      if (k.toLowerCase().startsWith('aws:'))
        throw new Ec2Error('InvalidParameterValue', `Value (${k}) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use`);
    return () => {
      for (const [id, t] of targets) {
        for (const [k, v] of tags) t.set(k, v);
        this.record({ kind: 'resource', ...who, resourceId: id, detail: { set: Object.fromEntries(tags) } });
      }
    };
  }

  prepareDeleteTags(ids: readonly string[], tags: readonly (readonly [string, string | undefined])[], who: Who): Apply {
    const targets = ids.map((id) => [id, this.tagsOf(id)] as const);
    return () => {
      for (const [id, t] of targets) {
        if (tags.length === 0) t.clear();
        for (const [k, v] of tags) if (v === undefined || t.get(k) === v) t.delete(k);
        this.record({ kind: 'resource', ...who, resourceId: id, detail: { deleted: tags.map(([k]) => k) } });
      }
    };
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

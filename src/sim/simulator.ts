// The programmatic simulator: an EC2 endpoint, an admin endpoint and one
// IMDS listener per instance, all on loopback. `startSimulator` is what the
// `awsnycast sim` command, the integration tests, the end-to-end tests and
// the benchmarks use.
import { formatHostPort } from '../net/address.js';
import { adminHandler } from './admin.js';
import { buildState } from './build-state.js';
import { realClock, type Clock } from './clock.js';
import { Counters, type CountersSnapshot } from './counters.js';
import { RenderCache } from './ec2-actions/render-cache.js';
import { Ec2Server, readBody, Listener, type Ec2Backend } from './ec2-server.js';
import { DenyList, type DenyRule } from './deny.js';
import { Faults, type DeepPartial, type FaultSettings } from './faults.js';
import { ImdsServer } from './imds-server.js';
import type { SpotAction, StatusValue, TargetLifecycleState } from './model.js';
import { queryMutations, type Mutation, type MutationQuery } from './mutations.js';
import { deleteInterface, detachInterface, setInstanceStatus } from './ops/admin.js';
import * as signalAdmin from './signal-admin.js';
import { prepareStart, prepareStop, prepareTerminate } from './ops/instances.js';
import { RequestLog, type RecordedRequest } from './requests.js';
import type {
  InstanceInfo,
  MomentInput,
  NatGatewaySnapshot,
  RouteTableSnapshot,
  ScheduledEventInput,
  Simulator,
  SimulatorOptions,
  StateChange,
} from './simulator-api.js';
import { instanceInfos, natGatewaySnapshots, routeTableSnapshots } from './snapshots.js';
import type { Ec2State } from './state.js';
import type { Timing } from './timing.js';
import type { World } from './world.js';
import { parseListen, resolveWorld } from './options.js';

export type {
  InstanceInfo,
  InterfaceInfo,
  MomentInput,
  NatGatewaySnapshot,
  RouteSnapshot,
  RouteTableSnapshot,
  ScheduledEventInput,
  Simulator,
  SimulatorOptions,
  StateChange,
} from './simulator-api.js';
export type { MutationQuery } from './mutations.js';

class Sim implements Simulator {
  private backend: Ec2Backend;
  readonly faultsState: Faults;
  readonly denyList = new DenyList();
  readonly countersState = new Counters();
  readonly requestLog = new RequestLog();
  private readonly ec2: Ec2Server;
  private readonly adminListener: Listener;
  private readonly imds = new Map<string, ImdsServer>();
  private readonly pendingImds = new Set<Promise<void>>();
  private outageTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly world: World,
    private readonly clock: Clock,
    private readonly host: string,
    adminHost: string,
    private readonly onInternalError: (e: unknown) => void,
  ) {
    this.faultsState = new Faults(clock);
    this.backend = this.freshBackend();
    const admin = adminHandler(this);
    this.ec2 = new Ec2Server(() => this.backend, admin, host);
    this.adminListener = new Listener((req, res) => {
      void readBody(req).then(
        (body) => admin(req, res, body),
        () => res.destroy(),
      );
    }, adminHost);
  }

  private freshBackend(): Ec2Backend {
    const state = buildState(this.world, this.clock);
    state.onInstanceCreated((i) => {
      this.startImds(i.id, undefined).catch((e: unknown) => this.onInternalError(e));
    });
    return {
      state,
      cache: new RenderCache(),
      faults: this.faultsState,
      deny: this.denyList,
      counters: this.countersState,
      requests: this.requestLog,
      onInternalError: this.onInternalError,
    };
  }

  /** Starts an instance's IMDS listener; the promise rejects if it cannot listen. */
  private startImds(instanceId: string, port: number | undefined): Promise<void> {
    if (this.imds.has(instanceId) || this.closed) return Promise.resolve();
    const server = new ImdsServer(
      instanceId,
      { state: () => this.backend.state, faults: () => this.faultsState, clock: this.clock },
      this.host,
    );
    this.imds.set(instanceId, server);
    const p = server.listener.listen(port ?? 0).then(() => undefined);
    const settled = p.catch(() => undefined);
    this.pendingImds.add(settled);
    void settled.finally(() => this.pendingImds.delete(settled));
    return p;
  }

  async start(ec2Port: number, adminPort: number): Promise<void> {
    await this.ec2.listener.listen(ec2Port);
    await this.adminListener.listen(adminPort);
    await Promise.all(this.world.instances.map((i) => this.startImds(i.id, i.imds_port)));
  }

  get ec2Endpoint(): string {
    return `http://${this.ec2.listener.address}`;
  }
  get adminEndpoint(): string {
    return `http://${this.adminListener.address}`;
  }
  get region(): string {
    return this.backend.state.region;
  }
  get accountId(): string {
    return this.backend.state.accountId;
  }
  get state(): Ec2State {
    return this.backend.state;
  }

  async instances(): Promise<InstanceInfo[]> {
    await Promise.all([...this.pendingImds]);
    return instanceInfos(this.backend.state, (id) => this.imds.get(id)?.endpoint ?? '');
  }

  routeTables(filter: { vpcId?: string; ids?: readonly string[] } = {}): RouteTableSnapshot[] {
    return routeTableSnapshots(this.backend.state, filter);
  }

  private lifecycle(id: string, op: typeof prepareStop, action: string): StateChange {
    const s = this.backend.state;
    s.settle();
    const [c] = op(s, [id], { action, caller: 'admin' })();
    return { instanceId: id, before: c!.before, after: c!.after };
  }
  stopInstance(id: string): StateChange {
    return this.lifecycle(id, prepareStop, 'admin:stop');
  }
  startInstance(id: string): StateChange {
    return this.lifecycle(id, prepareStart, 'admin:start');
  }
  terminateInstance(id: string): StateChange {
    return this.lifecycle(id, prepareTerminate, 'admin:terminate');
  }
  setInstanceStatus(id: string, status: { instance?: StatusValue; system?: StatusValue }): void {
    setInstanceStatus(this.backend.state, id, status, { action: 'admin:status', caller: 'admin' });
  }
  detachNetworkInterface(id: string): void {
    detachInterface(this.backend.state, id, { action: 'admin:detach', caller: 'admin' });
  }
  deleteNetworkInterface(id: string): void {
    deleteInterface(this.backend.state, id, { action: 'admin:delete', caller: 'admin' });
  }
  natGateways(): NatGatewaySnapshot[] {
    return natGatewaySnapshots(this.backend.state);
  }

  setSpotInterruption(id: string, notice: (MomentInput & { readonly action?: SpotAction }) | null): { action: SpotAction; time: string } | null {
    return signalAdmin.setSpotInterruption(this.backend.state, this.clock, id, notice);
  }
  setTargetLifecycleState(id: string, state: TargetLifecycleState | null): void {
    signalAdmin.setTargetLifecycleState(this.backend.state, id, state);
  }
  addScheduledEvent(id: string, e: ScheduledEventInput): Record<string, string> {
    return signalAdmin.addScheduledEvent(this.backend.state, this.clock, id, e);
  }
  clearScheduledEvents(id: string, eventId?: string): Record<string, string>[] {
    return signalAdmin.clearScheduledEvents(this.backend.state, id, eventId);
  }
  setRebalanceRecommendation(id: string, notice: MomentInput | null): { noticeTime: string } | null {
    return signalAdmin.setRebalanceRecommendation(this.backend.state, this.clock, id, notice);
  }
  setTiming(timing: Partial<Timing>): Timing {
    const s = this.backend.state;
    s.timing = { ...s.timing, ...timing };
    return s.timing;
  }

  faults(): FaultSettings {
    return this.faultsState.settings;
  }

  async setFaults(
    patch: DeepPartial<FaultSettings> & { outage?: { mode?: FaultSettings['outage']['mode']; forMs?: number } },
  ): Promise<FaultSettings> {
    const forMs = patch.outage?.forMs;
    const clean: DeepPartial<FaultSettings> = {
      ...patch,
      ...(patch.outage !== undefined ? { outage: { mode: patch.outage.mode ?? this.faultsState.settings.outage.mode } } : {}),
    };
    const next = this.faultsState.update(clean);
    await this.applyOutages();
    if (this.outageTimer !== undefined) clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
    if (forMs !== undefined && next.outage.mode !== 'none') {
      this.outageTimer = setTimeout(() => {
        this.outageTimer = undefined;
        // Nobody awaits this: a failure (say the EC2 port was taken while it
        // was down) goes to the internal-error path, and the rest keeps serving.
        this.setFaults({ outage: { mode: 'none' } }).catch((e: unknown) => this.onInternalError(e));
      }, forMs);
    }
    return this.faultsState.settings;
  }

  async clearFaults(): Promise<void> {
    this.faultsState.clear();
    if (this.outageTimer !== undefined) clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
    await this.applyOutages();
  }

  /** Brings every listener in line with the outage settings; if one cannot listen, the others still do, then the first error is thrown. */
  private async applyOutages(): Promise<void> {
    const mode = this.faultsState.settings.outage.mode;
    const errors: unknown[] = [];
    try {
      if (mode === 'refuse') await this.ec2.listener.down();
      else if (!this.closed) await this.ec2.listener.again();
    } catch (e) {
      errors.push(e);
    }
    if (mode !== 'hang') this.ec2.releaseHeld();
    const imds = await Promise.allSettled([...this.imds.values()].map((s) => s.applyOutage()));
    for (const r of imds) if (r.status === 'rejected') errors.push(r.reason);
    if (errors.length > 0) throw errors[0];
  }

  deny(rule: DenyRule): readonly DenyRule[] {
    return this.denyList.add(rule);
  }
  denied(): readonly DenyRule[] {
    return this.denyList.rules();
  }
  clearDeny(): void {
    this.denyList.clear();
  }

  counters(): CountersSnapshot {
    return this.countersState.snapshot();
  }
  resetCounters(): void {
    this.countersState.reset();
  }

  requests(q: { since?: number; caller?: string } = {}): { lastSeq: number; entries: RecordedRequest[] } {
    return { lastSeq: this.requestLog.lastSeq, entries: this.requestLog.list(q) };
  }
  resetRequests(): void {
    this.requestLog.reset();
  }

  mutations(q: MutationQuery = {}): Mutation[] {
    this.backend.state.settle();
    return queryMutations(this.backend.state.log, q);
  }

  async reset(): Promise<void> {
    await this.clearFaults();
    this.denyList.clear();
    this.countersState.reset();
    this.requestLog.reset();
    this.backend = this.freshBackend();
    const keep = new Set(this.world.instances.map((i) => i.id));
    for (const [id, server] of this.imds) {
      server.forgetTokens();
      if (!keep.has(id)) {
        this.imds.delete(id);
        await server.close();
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.outageTimer !== undefined) clearTimeout(this.outageTimer);
    await Promise.all([...this.pendingImds]);
    await Promise.all([this.ec2.close(), this.adminListener.down(), ...[...this.imds.values()].map((s) => s.close())]);
  }
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { host, port } = parseListen(opts.listen, 'listen');
  const admin = parseListen(opts.adminListen ?? formatHostPort(host, 0), 'admin listen');
  const world = resolveWorld(opts.world);
  const sim = new Sim(world, opts.clock ?? realClock, host, admin.host, opts.onInternalError ?? (() => undefined));
  try {
    await sim.start(port, admin.port);
  } catch (e) {
    await sim.close();
    throw e;
  }
  return sim;
}

// What the programmatic simulator offers (simulator.ts implements it): the
// handle `startSimulator` returns, its options, and the snapshots it gives of
// instances and route tables. The admin API answers with the same shapes.
import type { CountersSnapshot } from './counters.js';
import type { DenyRule } from './deny.js';
import type { DeepPartial, FaultSettings } from './faults.js';
import type { EventCode, InstanceStateName, NatGatewayState, SpotAction, StatusValue, TargetLifecycleState } from './model.js';
import type { Mutation, MutationQuery } from './mutations.js';
import type { RecordedRequest } from './requests.js';
import type { Ec2State } from './state.js';
import type { Timing } from './timing.js';
import type { Clock } from './clock.js';
import type { World, WorldInput } from './world.js';

export interface SimulatorOptions {
  /** A world file path, `{ yaml }` text, or a world object (checked the same way as a file). */
  readonly world: string | { readonly yaml: string } | WorldInput | World;
  /** `HOST:PORT` for the EC2 endpoint; HOST must be a loopback address. Default `127.0.0.1:0`. */
  readonly listen?: string;
  /** `HOST:PORT` for the separate admin endpoint. Default: same host, any free port. */
  readonly adminListen?: string;
  readonly clock?: Clock;
  /** Unexpected exceptions inside handlers (answered with HTTP 500). */
  readonly onInternalError?: (e: unknown) => void;
}

export interface InterfaceInfo {
  readonly networkInterfaceId: string;
  readonly privateIp: string;
  readonly mac: string;
  readonly deviceIndex: number | null;
  readonly sourceDestCheck: boolean;
}

export interface InstanceInfo {
  readonly instanceId: string;
  readonly privateIp: string | null;
  readonly imdsEndpoint: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly state: InstanceStateName;
  readonly networkInterfaces: readonly InterfaceInfo[];
}

export interface RouteSnapshot {
  readonly cidr: string;
  readonly state: 'active' | 'blackhole';
  readonly origin: string;
  readonly gatewayId?: string;
  readonly instanceId?: string;
  readonly natGatewayId?: string;
  readonly networkInterfaceId?: string;
}

export interface RouteTableSnapshot {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly main: boolean;
  readonly subnets: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly routes: readonly RouteSnapshot[];
}

export interface NatGatewaySnapshot {
  readonly natGatewayId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly state: NatGatewayState;
  readonly connectivityType: 'public' | 'private';
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A moment: an ISO 8601 `time`, or `inMs` from now (negative: in the past). */
export interface MomentInput {
  readonly time?: string;
  readonly inMs?: number;
}

export interface ScheduledEventInput extends MomentInput {
  readonly code: EventCode;
  readonly description?: string;
  /** NotAfter is NotBefore plus this; without it the event has no NotAfter. */
  readonly durationMs?: number;
}

export interface StateChange {
  readonly instanceId: string;
  readonly before: InstanceStateName;
  readonly after: InstanceStateName;
}

export interface Simulator {
  readonly ec2Endpoint: string;
  readonly adminEndpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** The current state (replaced by reset). */
  readonly state: Ec2State;
  instances(): Promise<InstanceInfo[]>;
  routeTables(filter?: { vpcId?: string; ids?: readonly string[] }): RouteTableSnapshot[];
  stopInstance(id: string): StateChange;
  startInstance(id: string): StateChange;
  terminateInstance(id: string): StateChange;
  setInstanceStatus(id: string, status: { instance?: StatusValue; system?: StatusValue }): void;
  detachNetworkInterface(id: string): void;
  deleteNetworkInterface(id: string): void;
  natGateways(): NatGatewaySnapshot[];
  /** spot/instance-action: raise (default `terminate`, two minutes from now) or clear with null; returns the metadata document. */
  setSpotInterruption(id: string, notice: (MomentInput & { readonly action?: SpotAction }) | null): { action: SpotAction; time: string } | null;
  /** autoscaling/target-lifecycle-state: set, or clear with null (not in an Auto Scaling group: 404). */
  setTargetLifecycleState(id: string, state: TargetLifecycleState | null): void;
  /** events/maintenance/scheduled: add an active event (NotBefore default now); returns it as the metadata shows it. */
  addScheduledEvent(id: string, event: ScheduledEventInput): Record<string, string>;
  /** Removes one scheduled event, or all of them; returns the ones left. */
  clearScheduledEvents(id: string, eventId?: string): Record<string, string>[];
  /** events/recommendations/rebalance: raise (notice time default now) or clear with null; returns the metadata document. */
  setRebalanceRecommendation(id: string, notice: MomentInput | null): { noticeTime: string } | null;
  setTiming(timing: Partial<Timing>): Timing;
  faults(): FaultSettings;
  setFaults(patch: DeepPartial<FaultSettings> & { outage?: { mode?: FaultSettings['outage']['mode']; forMs?: number } }): Promise<FaultSettings>;
  clearFaults(): Promise<void>;
  /** Adds a deny rule: the actions answer UnauthorizedOperation (403), DryRun or not, for the callers given (default all); returns every rule. */
  deny(rule: DenyRule): readonly DenyRule[];
  denied(): readonly DenyRule[];
  clearDeny(): void;
  counters(): CountersSnapshot;
  resetCounters(): void;
  mutations(q?: MutationQuery): Mutation[];
  /** The EC2 requests received (parameter and filter names), after seq `since`, optionally of one caller. */
  requests(q?: { since?: number; caller?: string }): { lastSeq: number; entries: RecordedRequest[] };
  resetRequests(): void;
  /** Back to the world file's state; clears faults, the deny list, counters, the mutation log and IMDS tokens. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

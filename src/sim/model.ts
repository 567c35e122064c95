// The in-memory shapes of the simulated EC2 resources. Plain mutable records,
// owned by Ec2State; nothing outside state.ts and the actions mutates them.

export type Tags = Map<string, string>;

export interface Vpc {
  readonly id: string;
  readonly cidr: string;
  readonly ipv6Cidr: string | undefined;
  readonly tags: Tags;
}

export interface Subnet {
  readonly id: string;
  readonly vpcId: string;
  readonly az: string;
  readonly cidr: string;
  readonly tags: Tags;
}

export interface InternetGateway {
  readonly id: string;
  vpcId: string | undefined;
  readonly tags: Tags;
}

export type RouteTarget =
  | { readonly kind: 'local' }
  | { readonly kind: 'gateway'; readonly gatewayId: string }
  /** An interface target; `instanceId` is the instance it was attached to when the route was set. */
  | { readonly kind: 'eni'; readonly eniId: string; readonly instanceId: string | undefined }
  | { readonly kind: 'nat'; readonly natGatewayId: string };

export interface Route {
  /** Canonical CIDR text; the route's key within its table. */
  readonly dest: string;
  readonly family: 4 | 6;
  target: RouteTarget;
  readonly origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface Association {
  readonly id: string;
  readonly main: boolean;
  readonly subnetId: string | undefined;
}

export interface RouteTable {
  readonly id: string;
  readonly vpcId: string;
  readonly tags: Tags;
  /** Ordered by insertion; AWS lists `local` first, then in creation order. */
  readonly routes: Map<string, Route>;
  readonly associations: Association[];
}

/**
 * NAT gateway states, as the model's NatGatewayState lists them and the
 * NatGateway data type describes them
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html).
 */
export type NatGatewayState = 'pending' | 'failed' | 'available' | 'deleting' | 'deleted';

export interface NatGateway {
  readonly id: string;
  readonly subnetId: string;
  readonly vpcId: string;
  state: NatGatewayState;
  readonly connectivityType: 'public' | 'private';
  /** The Elastic IP's allocation id (public gateways); the simulator has no Elastic IPs, it only keeps the id. */
  readonly allocationId: string | undefined;
  readonly publicIp: string | undefined;
  readonly privateIp: string;
  /** The interface AWS creates for the gateway; not one of the simulator's interfaces (DescribeNetworkInterfaces does not list it). */
  readonly networkInterfaceId: string;
  readonly createTimeWall: number;
  deleteTimeWall: number | undefined;
  /** Monotonic time at which it became `deleted` or `failed`; it stays listed for `timing.natGatewayDeletedVisibleMs` after. */
  goneAt: number | undefined;
  /** Why it could not be created (it ends `failed`): NatGateway.failureCode and failureMessage. */
  readonly failure: { readonly code: string; readonly message: string } | undefined;
  /** Monotonic time at which the current phase (`pending`, `deleting`) ends. */
  phaseEndsAt: number | undefined;
  phaseCause: { readonly action: string; readonly caller: string } | undefined;
  readonly tags: Tags;
}

/** A route to a NAT gateway is usable while the gateway can process traffic: `available`, or `deleting` ("may still be processing traffic"). */
export const natGatewayCarriesTraffic = (state: NatGatewayState): boolean => state === 'available' || state === 'deleting';

/** Spot interruption actions (spot/instance-action). */
export const SPOT_ACTIONS = ['hibernate', 'stop', 'terminate'] as const;
export type SpotAction = (typeof SPOT_ACTIONS)[number];

/** autoscaling/target-lifecycle-state values, as the instance metadata categories table lists them. */
export const TARGET_LIFECYCLE_STATES = [
  'Detached',
  'InService',
  'Standby',
  'Terminated',
  'Warmed:Hibernated',
  'Warmed:Running',
  'Warmed:Stopped',
  'Warmed:Terminated',
] as const;
export type TargetLifecycleState = (typeof TARGET_LIFECYCLE_STATES)[number];

/** Scheduled event codes: the model's EventCode enum. */
export const EVENT_CODES = ['instance-reboot', 'system-reboot', 'system-maintenance', 'instance-retirement', 'instance-stop'] as const;
export type EventCode = (typeof EVENT_CODES)[number];

export interface ScheduledEvent {
  readonly eventId: string;
  readonly code: EventCode;
  readonly description: string;
  readonly notBeforeWall: number;
  readonly notAfterWall: number | undefined;
}

/**
 * What the instance's metadata says about its own lifecycle: a Spot
 * interruption notice, the Auto Scaling target lifecycle state, scheduled
 * maintenance events and a rebalance recommendation. Set by the world file
 * and the admin API; served by the IMDS listener (imds-server.ts).
 */
export interface InstanceSignals {
  spotAction: { readonly action: SpotAction; readonly timeWall: number } | undefined;
  targetLifecycleState: TargetLifecycleState | undefined;
  readonly scheduledEvents: ScheduledEvent[];
  rebalanceNoticeWall: number | undefined;
}

export const noSignals = (): InstanceSignals => ({
  spotAction: undefined,
  targetLifecycleState: undefined,
  scheduledEvents: [],
  rebalanceNoticeWall: undefined,
});

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export type StatusValue = 'ok' | 'impaired' | 'initializing' | 'insufficient-data' | 'not-applicable';
export const STATUS_VALUES: readonly StatusValue[] = [
  'ok',
  'impaired',
  'initializing',
  'insufficient-data',
  'not-applicable',
];

export interface Attachment {
  readonly id: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly deleteOnTermination: boolean;
  readonly attachTimeWall: number;
}

export interface NetworkInterface {
  readonly id: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly az: string;
  readonly privateIp: string;
  readonly mac: string;
  sourceDestCheck: boolean;
  attachment: Attachment | undefined;
  readonly tags: Tags;
  readonly description: string;
}

export interface Instance {
  readonly id: string;
  readonly az: string;
  readonly subnetId: string;
  readonly vpcId: string;
  state: InstanceStateName;
  /** Monotonic time at which the current transitional phase ends. */
  phaseEndsAt: number | undefined;
  /** Who started the current phase; the phase's end is logged under the same action and caller. */
  phaseCause: { readonly action: string; readonly caller: string } | undefined;
  /** Monotonic time at which the instance became `terminated`; it stays visible for `timing.terminatedVisibleMs` after. */
  terminatedAt: number | undefined;
  /** Interface ids in device-index order; the first is the primary. */
  readonly eniIds: string[];
  readonly imdsV2Required: boolean;
  readonly iamRole: string | undefined;
  readonly tags: Tags;
  readonly launchTimeWall: number;
  /** Set by the world file or the admin API; undefined means "what AWS would say". */
  instanceStatus: StatusValue | undefined;
  systemStatus: StatusValue | undefined;
  readonly imageId: string;
  readonly instanceType: string;
  readonly reservationId: string;
  /** Lifecycle signals its metadata shows (spot, Auto Scaling, scheduled events, rebalance). */
  readonly signals: InstanceSignals;
}

export function tagsToXml(tags: Tags): { key: string; value: string }[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

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
  | { readonly kind: 'eni'; readonly eniId: string; readonly instanceId: string | undefined };

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
}

export function tagsToXml(tags: Tags): { key: string; value: string }[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

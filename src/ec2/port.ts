// The narrow port to EC2: only the calls the daemon makes. One adapter on the
// AWS SDK (sdk-adapter.ts) implements it for real AWS, the simulator, or any
// EC2-compatible endpoint; fake.ts implements it in memory for loop tests.
import type { NatGatewayView, OwnerFacts, RouteTableView } from '../core/types.js';

export interface InterfaceView {
  readonly id: string;
  readonly instanceId?: string;
  readonly privateIp?: string;
  readonly privateIps: readonly string[];
  readonly sourceDestCheck: boolean;
  readonly deviceIndex?: number;
  readonly status?: string;
}

/** An instance a route's `peers` finder found, with its interfaces. */
export interface InstanceView {
  readonly id: string;
  /** pending, running, ... (the finder asks for running ones only). */
  readonly state: string;
  readonly interfaces: readonly InterfaceView[];
}

/** `peers:` of a route: instances of `vpcId` whose tag `tagKey` is `tagValue`. */
export interface PeerQuery {
  readonly vpcId: string;
  readonly tagKey: string;
  readonly tagValue: string;
}

export interface RouteTableQuery {
  readonly vpcId?: string;
  readonly routeTableIds?: readonly string[];
}

export interface Ec2Port {
  /** All pages, filtered on the server side. */
  describeRouteTables(q: RouteTableQuery): Promise<RouteTableView[]>;
  /** One batched call (IncludeAllInstances); instances EC2 no longer knows are absent. */
  describeInstanceStatus(instanceIds: readonly string[]): Promise<Record<string, OwnerFacts>>;
  describeNetworkInterfaces(q: { readonly ids?: readonly string[]; readonly instanceId?: string }): Promise<InterfaceView[]>;
  /** Running instances matching a `peers` finder (all pages, filtered on the server side). */
  findInstances(q: PeerQuery): Promise<InstanceView[]>;
  /** NAT gateways by id; ids EC2 does not know are absent. */
  describeNatGateways(ids: readonly string[]): Promise<Record<string, NatGatewayView>>;
  /** `target`: a network interface id (eni-...) or a NAT gateway id (nat-...). */
  createRoute(routeTableId: string, cidr: string, target: string): Promise<void>;
  replaceRoute(routeTableId: string, cidr: string, target: string): Promise<void>;
  deleteRoute(routeTableId: string, cidr: string): Promise<void>;
}

/**
 * One request of the daemon's, sent with DryRun=true to ask EC2 whether the
 * caller may make it (`awsnycast doctor`). The same parameters the daemon's
 * own call sends, so the request passes AWS's model as the real one does.
 */
export type DryRunCall =
  | { readonly action: 'DescribeRouteTables'; readonly vpcId?: string }
  | { readonly action: 'DescribeNetworkInterfaces'; readonly instanceId: string }
  | { readonly action: 'DescribeInstanceStatus'; readonly instanceIds: readonly string[] }
  | { readonly action: 'DescribeInstances'; readonly query: PeerQuery }
  | { readonly action: 'DescribeNatGateways'; readonly ids: readonly string[] }
  | { readonly action: 'CreateRoute' | 'ReplaceRoute'; readonly routeTableId: string; readonly cidr: string; readonly target: string }
  | { readonly action: 'DeleteRoute'; readonly routeTableId: string; readonly cidr: string };

/**
 * EC2's answer to a DryRun request, uninterpreted: the AWS error code
 * (`DryRunOperation` when it would have been allowed, `UnauthorizedOperation`
 * when not, or any other error, or a network error's code), or `ok` when the
 * endpoint answered as if DryRun had not been set.
 */
export interface DryRunAnswer {
  readonly awsCode: string;
  readonly message: string;
  /** The Ec2Outcome of the error (EC2_PERMISSION_DENIED, ...), or 'ok'. */
  readonly outcome: string;
}

/** Asking EC2 with DryRun: not part of Ec2Port, which the daemon uses; only doctor needs it. */
export interface Ec2DryRun {
  dryRun(call: DryRunCall): Promise<DryRunAnswer>;
}

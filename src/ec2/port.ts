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

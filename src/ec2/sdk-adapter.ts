// The one adapter from the EC2 port to AWS SDK v3. It uses only the SDK's
// standard settings: the default credential chain, AWS_ENDPOINT_URL_EC2 /
// AWS_ENDPOINT_URL for the endpoint, the SDK's standard retry mode (jittered
// exponential backoff on throttling and 5xx). No simulator-specific code.
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  ReplaceRouteCommand,
  paginateDescribeInstanceStatus,
  paginateDescribeRouteTables,
} from '@aws-sdk/client-ec2';
import type { Filter, Route, RouteTable } from '@aws-sdk/client-ec2';
import { parseCidr } from '../config/values.js';
import type { OwnerFacts, RouteTableView, RouteTarget, RouteView } from '../core/types.js';
import { toEc2Error } from './errors.js';
import type { Ec2Port, InterfaceView, RouteTableQuery } from './port.js';

export interface SdkAdapterOptions {
  readonly region: string;
  /** Total attempts per call, including the first (SDK standard retry). Default 4. */
  readonly maxAttempts?: number;
  /** Called after every EC2 call with its action and outcome ('ok' or an Ec2Outcome code). */
  readonly onCall?: (action: string, outcome: string, ms: number) => void;
}

function canonicalCidr(text: string): string {
  const c = parseCidr(text);
  return c.ok ? c.cidr.text : text;
}

function targetOf(r: Route): RouteTarget {
  if (r.NetworkInterfaceId !== undefined)
    return { kind: 'interface', networkInterfaceId: r.NetworkInterfaceId, ...(r.InstanceId !== undefined ? { instanceId: r.InstanceId } : {}) };
  if (r.InstanceId !== undefined) return { kind: 'instance', instanceId: r.InstanceId };
  const id =
    r.GatewayId ??
    r.NatGatewayId ??
    r.TransitGatewayId ??
    r.VpcPeeringConnectionId ??
    r.LocalGatewayId ??
    r.CarrierGatewayId ??
    r.EgressOnlyInternetGatewayId ??
    r.CoreNetworkArn ??
    'unknown';
  return { kind: 'other', id };
}

export function toRouteTableView(t: RouteTable): RouteTableView {
  const routes: RouteView[] = [];
  for (const r of t.Routes ?? []) {
    const dest = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId;
    if (dest === undefined) continue;
    routes.push({ destination: canonicalCidr(dest), target: targetOf(r), state: r.State === 'blackhole' ? 'blackhole' : 'active' });
  }
  const assoc = (t.Associations ?? []).filter((a) => a.AssociationState?.State !== 'disassociated');
  return {
    id: t.RouteTableId ?? '',
    vpcId: t.VpcId ?? '',
    main: assoc.some((a) => a.Main === true),
    subnetIds: assoc.flatMap((a) => (a.SubnetId !== undefined ? [a.SubnetId] : [])),
    tags: Object.fromEntries((t.Tags ?? []).flatMap((tag) => (tag.Key !== undefined ? [[tag.Key, tag.Value ?? '']] : []))),
    routes,
  };
}

export class SdkEc2 implements Ec2Port {
  readonly client: EC2Client;
  private readonly onCall: NonNullable<SdkAdapterOptions['onCall']>;

  constructor(opts: SdkAdapterOptions) {
    this.client = new EC2Client({
      region: opts.region,
      maxAttempts: opts.maxAttempts ?? 4,
      retryMode: 'standard',
      // An endpoint that accepts and never answers must not stall a pass.
      requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
    });
    this.onCall = opts.onCall ?? (() => undefined);
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      const r = await fn();
      this.onCall(action, 'ok', performance.now() - start);
      return r;
    } catch (e) {
      const err = toEc2Error(action, e);
      this.onCall(action, err.code, performance.now() - start);
      throw err;
    }
  }

  async describeRouteTables(q: RouteTableQuery): Promise<RouteTableView[]> {
    const filters: Filter[] = [];
    if (q.vpcId !== undefined) filters.push({ Name: 'vpc-id', Values: [q.vpcId] });
    if (q.routeTableIds !== undefined) filters.push({ Name: 'route-table-id', Values: [...q.routeTableIds] });
    return this.call('DescribeRouteTables', async () => {
      const out: RouteTableView[] = [];
      for await (const page of paginateDescribeRouteTables({ client: this.client, pageSize: 100 }, { Filters: filters }))
        for (const t of page.RouteTables ?? []) out.push(toRouteTableView(t));
      return out;
    });
  }

  async describeInstanceStatus(instanceIds: readonly string[]): Promise<Record<string, OwnerFacts>> {
    if (instanceIds.length === 0) return {};
    return this.call('DescribeInstanceStatus', async () => {
      const out: Record<string, OwnerFacts> = {};
      // Filtering by instance-id (not InstanceIds) means an id EC2 no longer knows is simply absent.
      const pages = paginateDescribeInstanceStatus(
        { client: this.client, pageSize: 1000 },
        { IncludeAllInstances: true, Filters: [{ Name: 'instance-id', Values: [...instanceIds] }] },
      );
      for await (const page of pages) {
        for (const s of page.InstanceStatuses ?? []) {
          if (s.InstanceId === undefined) continue;
          out[s.InstanceId] = {
            state: s.InstanceState?.Name ?? 'unknown',
            ...(s.InstanceStatus?.Status !== undefined ? { instanceStatus: s.InstanceStatus.Status } : {}),
            ...(s.SystemStatus?.Status !== undefined ? { systemStatus: s.SystemStatus.Status } : {}),
          };
        }
      }
      return out;
    });
  }

  async describeNetworkInterfaces(q: { ids?: readonly string[]; instanceId?: string }): Promise<InterfaceView[]> {
    const filters: Filter[] = [];
    if (q.instanceId !== undefined) filters.push({ Name: 'attachment.instance-id', Values: [q.instanceId] });
    if (q.ids !== undefined) filters.push({ Name: 'network-interface-id', Values: [...q.ids] });
    return this.call('DescribeNetworkInterfaces', async () => {
      const out = await this.client.send(new DescribeNetworkInterfacesCommand({ Filters: filters }));
      return (out.NetworkInterfaces ?? []).map((n) => ({
        id: n.NetworkInterfaceId ?? '',
        ...(n.Attachment?.InstanceId !== undefined ? { instanceId: n.Attachment.InstanceId } : {}),
        ...(n.PrivateIpAddress !== undefined ? { privateIp: n.PrivateIpAddress } : {}),
        privateIps: (n.PrivateIpAddresses ?? []).flatMap((p) => (p.PrivateIpAddress !== undefined ? [p.PrivateIpAddress] : [])),
        sourceDestCheck: n.SourceDestCheck !== false,
        ...(n.Attachment?.DeviceIndex !== undefined ? { deviceIndex: n.Attachment.DeviceIndex } : {}),
        ...(n.Status !== undefined ? { status: n.Status } : {}),
      }));
    });
  }

  private destination(cidr: string): { DestinationCidrBlock: string } | { DestinationIpv6CidrBlock: string } {
    return cidr.includes(':') ? { DestinationIpv6CidrBlock: cidr } : { DestinationCidrBlock: cidr };
  }

  async createRoute(routeTableId: string, cidr: string, networkInterfaceId: string): Promise<void> {
    await this.call('CreateRoute', () =>
      this.client.send(new CreateRouteCommand({ RouteTableId: routeTableId, NetworkInterfaceId: networkInterfaceId, ...this.destination(cidr) })),
    );
  }

  async replaceRoute(routeTableId: string, cidr: string, networkInterfaceId: string): Promise<void> {
    await this.call('ReplaceRoute', () =>
      this.client.send(new ReplaceRouteCommand({ RouteTableId: routeTableId, NetworkInterfaceId: networkInterfaceId, ...this.destination(cidr) })),
    );
  }

  async deleteRoute(routeTableId: string, cidr: string): Promise<void> {
    await this.call('DeleteRoute', () => this.client.send(new DeleteRouteCommand({ RouteTableId: routeTableId, ...this.destination(cidr) })));
  }

  destroy(): void {
    this.client.destroy();
  }
}

// The one adapter from the EC2 port to AWS SDK v3. It uses only the SDK's
// standard settings: the default credential chain, AWS_ENDPOINT_URL_EC2 /
// AWS_ENDPOINT_URL for the endpoint, the SDK's standard retry mode (jittered
// exponential backoff on throttling and 5xx). No simulator-specific code.
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeInstanceStatusCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  ReplaceRouteCommand,
  paginateDescribeInstances,
  paginateDescribeNatGateways,
  paginateDescribeRouteTables,
} from '@aws-sdk/client-ec2';
import type { Filter, InstanceNetworkInterface, InstanceStatus, NetworkInterface, Route, RouteTable } from '@aws-sdk/client-ec2';
import { GONE, type NatGatewayView, type OwnerFacts, type RouteTableView, type RouteTarget, type RouteView } from '../core/types.js';
import { canonicalCidr } from '../net/address.js';
import { toEc2Error } from './errors.js';
import { destination, sendDryRun, targetParam } from './requests.js';

export { targetParam } from './requests.js';
import type { DryRunAnswer, DryRunCall, Ec2DryRun, Ec2Port, InstanceView, InterfaceView, PeerQuery, RouteTableQuery } from './port.js';

export interface SdkAdapterOptions {
  readonly region: string;
  /** Total attempts per call, including the first (SDK standard retry). Default 4. */
  readonly maxAttempts?: number;
  /** Called after every EC2 call with its action and outcome ('ok' or an Ec2Outcome code). */
  readonly onCall?: (action: string, outcome: string, ms: number) => void;
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
    routes.push({ destination: canonicalCidr(dest) ?? dest, target: targetOf(r), state: r.State === 'blackhole' ? 'blackhole' : 'active' });
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

/** AWS's documented maximum of explicitly listed instance ids per DescribeInstanceStatus call. */
export const STATUS_IDS_PER_CALL = 100;
/** Values per filter in one call (AWS documents no limit here; 200 is reported in the field: stay below). */
export const FILTER_VALUES_PER_CALL = 100;

function ownerFacts(s: InstanceStatus): OwnerFacts {
  return {
    state: s.InstanceState?.Name ?? 'unknown',
    ...(s.InstanceStatus?.Status !== undefined ? { instanceStatus: s.InstanceStatus.Status } : {}),
    ...(s.SystemStatus?.Status !== undefined ? { systemStatus: s.SystemStatus.Status } : {}),
  };
}

/**
 * For an InvalidInstanceID.NotFound answer: which of `asked` its message names
 * (AWS: "The instance ID 'i-1' does not exist", "The instance IDs 'i-1, i-2'
 * do not exist"); undefined for any other error.
 */
export function missingInstances(e: unknown, asked: readonly string[]): string[] | undefined {
  const err = e as { name?: string; Code?: string; message?: string };
  if ((err.Code ?? err.name) !== 'InvalidInstanceID.NotFound') return undefined;
  const named = new Set((err.message ?? '').match(/\bi-[0-9a-zA-Z]+\b/g) ?? []);
  return asked.filter((id) => named.has(id));
}

function instanceInterface(n: InstanceNetworkInterface, instanceId: string): InterfaceView {
  return {
    id: n.NetworkInterfaceId ?? '',
    instanceId,
    ...(n.PrivateIpAddress !== undefined ? { privateIp: n.PrivateIpAddress } : {}),
    privateIps: (n.PrivateIpAddresses ?? []).flatMap((p) => (p.PrivateIpAddress !== undefined ? [p.PrivateIpAddress] : [])),
    sourceDestCheck: n.SourceDestCheck !== false,
    ...(n.Attachment?.DeviceIndex !== undefined ? { deviceIndex: n.Attachment.DeviceIndex } : {}),
    ...(n.Status !== undefined ? { status: n.Status } : {}),
  };
}

export class SdkEc2 implements Ec2Port, Ec2DryRun {
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
      const ids = [...new Set(instanceIds)];
      for (let i = 0; i < ids.length; i += STATUS_IDS_PER_CALL) await this.statusBatch(ids.slice(i, i + STATUS_IDS_PER_CALL), out);
      return out;
    });
  }

  /**
   * One batch of at most 100 ids (InstanceId.N, AWS's documented maximum),
   * IncludeAllInstances, and no MaxResults (AWS refuses MaxResults with
   * instance ids). An id EC2 no longer knows fails the whole call with
   * InvalidInstanceID.NotFound, whose message names the missing ids: those
   * are recorded as gone and the rest asked again. When the message names
   * none of them, each id is asked alone. At most ids.length + 1 calls.
   */
  private async statusBatch(ids: readonly string[], out: Record<string, OwnerFacts>): Promise<void> {
    let pending = [...ids];
    while (pending.length > 0) {
      try {
        let token: string | undefined;
        do {
          const page = await this.client.send(
            new DescribeInstanceStatusCommand({ InstanceIds: pending, IncludeAllInstances: true, ...(token !== undefined ? { NextToken: token } : {}) }),
          );
          for (const s of page.InstanceStatuses ?? []) if (s.InstanceId !== undefined) out[s.InstanceId] = ownerFacts(s);
          token = page.NextToken !== undefined && page.NextToken !== '' ? page.NextToken : undefined;
        } while (token !== undefined);
        return;
      } catch (e) {
        const gone = missingInstances(e, pending);
        if (gone === undefined) throw e;
        if (gone.length === 0) {
          // The message names none of ours: ask for each alone (a NotFound then names that one).
          for (const id of pending) await this.statusBatch([id], out);
          return;
        }
        for (const id of gone) out[id] = { state: GONE };
        pending = pending.filter((id) => !gone.includes(id));
      }
    }
  }

  async describeNetworkInterfaces(q: { ids?: readonly string[]; instanceId?: string }): Promise<InterfaceView[]> {
    // Filtering by network-interface-id (not NetworkInterfaceId.N): an interface EC2 no longer knows is
    // simply absent instead of failing the call. Values are sent in batches of 100.
    const idBatches: (readonly string[] | undefined)[] = [];
    if (q.ids === undefined) idBatches.push(undefined);
    else for (let i = 0; i < q.ids.length; i += FILTER_VALUES_PER_CALL) idBatches.push(q.ids.slice(i, i + FILTER_VALUES_PER_CALL));
    return this.call('DescribeNetworkInterfaces', async () => {
      const found: NetworkInterface[] = [];
      for (const ids of idBatches) {
        const filters: Filter[] = [];
        if (q.instanceId !== undefined) filters.push({ Name: 'attachment.instance-id', Values: [q.instanceId] });
        if (ids !== undefined) filters.push({ Name: 'network-interface-id', Values: [...ids] });
        const out = await this.client.send(new DescribeNetworkInterfacesCommand({ Filters: filters }));
        found.push(...(out.NetworkInterfaces ?? []));
      }
      return found.map((n) => ({
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

  async findInstances(q: PeerQuery): Promise<InstanceView[]> {
    // Documented DescribeInstances filters: vpc-id, tag:<key>, instance-state-name.
    const filters: Filter[] = [
      { Name: 'vpc-id', Values: [q.vpcId] },
      { Name: `tag:${q.tagKey}`, Values: [q.tagValue] },
      { Name: 'instance-state-name', Values: ['running'] },
    ];
    return this.call('DescribeInstances', async () => {
      const out: InstanceView[] = [];
      for await (const page of paginateDescribeInstances({ client: this.client, pageSize: 1000 }, { Filters: filters }))
        for (const r of page.Reservations ?? [])
          for (const i of r.Instances ?? [])
            if (i.InstanceId !== undefined)
              out.push({ id: i.InstanceId, state: i.State?.Name ?? 'unknown', interfaces: (i.NetworkInterfaces ?? []).map((n) => instanceInterface(n, i.InstanceId!)) });
      return out;
    });
  }

  async describeNatGateways(ids: readonly string[]): Promise<Record<string, NatGatewayView>> {
    if (ids.length === 0) return {};
    // The nat-gateway-id filter (not NatGatewayId.N): a gateway EC2 does not know is absent instead of failing the call.
    return this.call('DescribeNatGateways', async () => {
      const out: Record<string, NatGatewayView> = {};
      for await (const page of paginateDescribeNatGateways({ client: this.client, pageSize: 1000 }, { Filter: [{ Name: 'nat-gateway-id', Values: [...new Set(ids)] }] }))
        for (const g of page.NatGateways ?? []) if (g.NatGatewayId !== undefined) out[g.NatGatewayId] = { state: g.State ?? 'unknown', ...(g.VpcId !== undefined ? { vpcId: g.VpcId } : {}) };
      return out;
    });
  }

  async createRoute(routeTableId: string, cidr: string, target: string): Promise<void> {
    await this.call('CreateRoute', () => this.client.send(new CreateRouteCommand({ RouteTableId: routeTableId, ...targetParam(target), ...destination(cidr) })));
  }

  async replaceRoute(routeTableId: string, cidr: string, target: string): Promise<void> {
    await this.call('ReplaceRoute', () => this.client.send(new ReplaceRouteCommand({ RouteTableId: routeTableId, ...targetParam(target), ...destination(cidr) })));
  }

  async deleteRoute(routeTableId: string, cidr: string): Promise<void> {
    await this.call('DeleteRoute', () => this.client.send(new DeleteRouteCommand({ RouteTableId: routeTableId, ...destination(cidr) })));
  }

  /**
   * Sends `call` with DryRun=true and returns EC2's answer without judging it.
   * DryRun never changes anything: "Checks whether you have the required
   * permissions for the action, without actually making the request" (the
   * DryRun parameter of every EC2 action, e.g.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html).
   */
  async dryRun(call: DryRunCall): Promise<DryRunAnswer> {
    const start = performance.now();
    try {
      await sendDryRun(this.client, call);
      this.onCall(call.action, 'ok', performance.now() - start);
      return { awsCode: 'ok', message: `${call.action} succeeded although DryRun was set`, outcome: 'ok' };
    } catch (e) {
      const err = toEc2Error(call.action, e);
      this.onCall(call.action, err.code, performance.now() - start);
      return { awsCode: err.awsCode, message: err.message, outcome: err.code };
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

// The daemon's EC2 requests, as query parameters: built here once, for the
// adapter's own calls (sdk-adapter.ts, which adds paging) and for the same
// requests with DryRun set (`awsnycast doctor` asks EC2 whether they are
// allowed), so a DryRun request is the daemon's request and passes AWS's
// model as the real one does.
import type { QueryParams } from './query/client.js';
import { destinationParam, filterParams, listParams, targetParam, type QueryFilter } from './query/params.js';
import type { DryRunCall, PeerQuery, RouteTableQuery } from './port.js';

export function routeTablesParams(q: RouteTableQuery): QueryParams {
  const filters: QueryFilter[] = [];
  if (q.vpcId !== undefined) filters.push({ name: 'vpc-id', values: [q.vpcId] });
  if (q.routeTableIds !== undefined) filters.push({ name: 'route-table-id', values: q.routeTableIds });
  return filterParams(filters);
}

/** Filtering by network-interface-id (not NetworkInterfaceId.N): an interface EC2 no longer knows is simply absent instead of failing the call. */
export function interfacesParams(q: { readonly instanceId?: string; readonly ids?: readonly string[] }): QueryParams {
  const filters: QueryFilter[] = [];
  if (q.instanceId !== undefined) filters.push({ name: 'attachment.instance-id', values: [q.instanceId] });
  if (q.ids !== undefined) filters.push({ name: 'network-interface-id', values: q.ids });
  return filterParams(filters);
}

/** InstanceId.N with IncludeAllInstances, and no MaxResults (AWS refuses MaxResults with instance ids). */
export function statusParams(instanceIds: readonly string[]): QueryParams {
  return { ...listParams('InstanceId', instanceIds), IncludeAllInstances: 'true' };
}

/** Documented DescribeInstances filters: vpc-id, tag:<key>, instance-state-name. */
export function peersParams(q: PeerQuery): QueryParams {
  return filterParams([
    { name: 'vpc-id', values: [q.vpcId] },
    { name: `tag:${q.tagKey}`, values: [q.tagValue] },
    { name: 'instance-state-name', values: ['running'] },
  ]);
}

/** The nat-gateway-id filter (not NatGatewayId.N): a gateway EC2 does not know is absent instead of failing the call. */
export function natGatewaysParams(ids: readonly string[]): QueryParams {
  return filterParams([{ name: 'nat-gateway-id', values: ids }]);
}

/** CreateRoute / ReplaceRoute (with a target) and DeleteRoute (without). */
export function routeParams(routeTableId: string, cidr: string, target?: string): QueryParams {
  return { RouteTableId: routeTableId, ...(target !== undefined ? targetParam(target) : {}), ...destinationParam(cidr) };
}

export function dryRunRequest(c: DryRunCall): { action: string; params: QueryParams } {
  const params = ((): QueryParams => {
    switch (c.action) {
      case 'DescribeRouteTables':
        return routeTablesParams(c.vpcId !== undefined ? { vpcId: c.vpcId } : {});
      case 'DescribeNetworkInterfaces':
        return interfacesParams({ instanceId: c.instanceId });
      case 'DescribeInstanceStatus':
        return statusParams(c.instanceIds);
      case 'DescribeInstances':
        return peersParams(c.query);
      case 'DescribeNatGateways':
        return natGatewaysParams(c.ids);
      case 'CreateRoute':
      case 'ReplaceRoute':
        return routeParams(c.routeTableId, c.cidr, c.target);
      case 'DeleteRoute':
        return routeParams(c.routeTableId, c.cidr);
    }
  })();
  return { action: c.action, params: { DryRun: 'true', ...params } };
}

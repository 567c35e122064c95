// The daemon's requests with DryRun set (`awsnycast doctor` asks EC2 whether
// they are allowed): the same action and parameters the adapter's own calls
// send (sdk-adapter.ts), plus `DryRun=true`, so each passes AWS's model as
// the real request does.
import type { QueryParams } from './query/client.js';
import { destinationParam, filterParams, listParams, targetParam } from './query/params.js';
import type { DryRunCall } from './port.js';

export function dryRunRequest(c: DryRunCall): { action: string; params: QueryParams } {
  const DryRun = 'true';
  switch (c.action) {
    case 'DescribeRouteTables':
      return { action: c.action, params: { DryRun, ...(c.vpcId !== undefined ? filterParams([{ name: 'vpc-id', values: [c.vpcId] }]) : {}) } };
    case 'DescribeNetworkInterfaces':
      return { action: c.action, params: { DryRun, ...filterParams([{ name: 'attachment.instance-id', values: [c.instanceId] }]) } };
    case 'DescribeInstanceStatus':
      return { action: c.action, params: { DryRun, ...listParams('InstanceId', c.instanceIds), IncludeAllInstances: 'true' } };
    case 'DescribeInstances':
      return {
        action: c.action,
        params: {
          DryRun,
          ...filterParams([
            { name: 'vpc-id', values: [c.query.vpcId] },
            { name: `tag:${c.query.tagKey}`, values: [c.query.tagValue] },
            { name: 'instance-state-name', values: ['running'] },
          ]),
        },
      };
    case 'DescribeNatGateways':
      return { action: c.action, params: { DryRun, ...filterParams([{ name: 'nat-gateway-id', values: c.ids }]) } };
    case 'CreateRoute':
    case 'ReplaceRoute':
      return { action: c.action, params: { DryRun, RouteTableId: c.routeTableId, ...targetParam(c.target), ...destinationParam(c.cidr) } };
    case 'DeleteRoute':
      return { action: c.action, params: { DryRun, RouteTableId: c.routeTableId, ...destinationParam(c.cidr) } };
  }
}

// The route and DryRun requests as the SDK adapter sends them: which
// parameter carries a target or a destination, and the daemon's requests
// with DryRun set (`awsnycast doctor` asks EC2 whether they are allowed).
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { DryRunCall } from './port.js';

/** The CreateRoute/ReplaceRoute parameter for a target id: NatGatewayId for nat-..., else NetworkInterfaceId. */
export function targetParam(target: string): { NatGatewayId: string } | { NetworkInterfaceId: string } {
  return target.startsWith('nat-') ? { NatGatewayId: target } : { NetworkInterfaceId: target };
}

export function destination(cidr: string): { DestinationCidrBlock: string } | { DestinationIpv6CidrBlock: string } {
  return cidr.includes(':') ? { DestinationIpv6CidrBlock: cidr } : { DestinationCidrBlock: cidr };
}

/** Sends the daemon's request for `c` (the same parameters its own calls send), with DryRun set. */
export function sendDryRun(client: EC2Client, c: DryRunCall): Promise<unknown> {
  const DryRun = true;
  switch (c.action) {
    case 'DescribeRouteTables':
      return client.send(new DescribeRouteTablesCommand({ DryRun, ...(c.vpcId !== undefined ? { Filters: [{ Name: 'vpc-id', Values: [c.vpcId] }] } : {}) }));
    case 'DescribeNetworkInterfaces':
      return client.send(new DescribeNetworkInterfacesCommand({ DryRun, Filters: [{ Name: 'attachment.instance-id', Values: [c.instanceId] }] }));
    case 'DescribeInstanceStatus':
      return client.send(new DescribeInstanceStatusCommand({ DryRun, InstanceIds: [...c.instanceIds], IncludeAllInstances: true }));
    case 'DescribeInstances':
      return client.send(new DescribeInstancesCommand({
        DryRun,
        Filters: [
          { Name: 'vpc-id', Values: [c.query.vpcId] },
          { Name: `tag:${c.query.tagKey}`, Values: [c.query.tagValue] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      }));
    case 'DescribeNatGateways':
      return client.send(new DescribeNatGatewaysCommand({ DryRun, Filter: [{ Name: 'nat-gateway-id', Values: [...c.ids] }] }));
    case 'CreateRoute':
      return client.send(new CreateRouteCommand({ DryRun, RouteTableId: c.routeTableId, ...targetParam(c.target), ...destination(c.cidr) }));
    case 'ReplaceRoute':
      return client.send(new ReplaceRouteCommand({ DryRun, RouteTableId: c.routeTableId, ...targetParam(c.target), ...destination(c.cidr) }));
    case 'DeleteRoute':
      return client.send(new DeleteRouteCommand({ DryRun, RouteTableId: c.routeTableId, ...destination(c.cidr) }));
  }
}


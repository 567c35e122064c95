// CreateRoute, ReplaceRoute, DeleteRoute. Exactly one destination (IPv4 or
// IPv6) and, for create/replace, exactly one target. Targets this simulator
// does not model (peering, transit gateways, ...) are refused rather than ignored.
import { Ec2Error, missing } from '../errors.js';
import type { Query } from '../query.js';
import type { TargetInput } from '../ops/types.js';
import type { ActionDef } from './types.js';
import { ok } from './types.js';
import { prepareCreateRoute, prepareDeleteRoute, prepareReplaceRoute } from '../ops/routes.js';

const MODELLED_TARGETS = ['InstanceId', 'NetworkInterfaceId', 'GatewayId', 'NatGatewayId'] as const;
const OTHER_TARGETS = [
  'VpcPeeringConnectionId',
  'TransitGatewayId',
  'LocalGatewayId',
  'CarrierGatewayId',
  'EgressOnlyInternetGatewayId',
  'VpcEndpointId',
  'CoreNetworkArn',
  'OdbNetworkArn',
] as const;

function destination(q: Query): { dest: string; param: string } {
  const v4 = q.str('DestinationCidrBlock');
  const v6 = q.str('DestinationIpv6CidrBlock');
  if (q.str('DestinationPrefixListId') !== undefined)
    throw new Ec2Error('InvalidParameterValue', 'Prefix-list destinations are not supported by this simulator.');
  if (v4 !== undefined && v6 !== undefined)
    throw new Ec2Error(
      'InvalidParameterCombination',
      'The parameter destinationCidrBlock cannot be used with the parameter destinationIpv6CidrBlock',
    );
  if (v4 !== undefined) return { dest: v4, param: 'destinationCidrBlock' };
  if (v6 !== undefined) return { dest: v6, param: 'destinationIpv6CidrBlock' };
  throw missing('destinationCidrBlock or destinationIpv6CidrBlock');
}

function target(q: Query): TargetInput {
  const given = [...MODELLED_TARGETS, ...OTHER_TARGETS].filter((n) => q.str(n) !== undefined);
  if (given.length !== 1)
    throw new Ec2Error(
      'InvalidParameterCombination',
      `The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, transitGatewayId, localGatewayId, carrierGatewayId, coreNetworkArn or instanceId (got ${given.length})`,
    );
  const name = given[0]!;
  if ((OTHER_TARGETS as readonly string[]).includes(name))
    throw new Ec2Error('InvalidParameterValue', `Route target ${name} is not supported by this simulator.`);
  return {
    instanceId: q.str('InstanceId'),
    networkInterfaceId: q.str('NetworkInterfaceId'),
    gatewayId: q.str('GatewayId'),
    natGatewayId: q.str('NatGatewayId'),
  };
}

export const createRoute: ActionDef = {
  name: 'CreateRoute',
  kind: 'mutate',
  run({ state, q, who }) {
    const tableId = q.req('RouteTableId');
    const { dest, param } = destination(q);
    const apply = prepareCreateRoute(state, tableId, dest, param, target(q), who);
    return () => {
      apply();
      return ok();
    };
  },
};

export const replaceRoute: ActionDef = {
  name: 'ReplaceRoute',
  kind: 'mutate',
  run({ state, q, who }) {
    const tableId = q.req('RouteTableId');
    const { dest, param } = destination(q);
    if (q.bool('LocalTarget') === true)
      throw new Ec2Error('InvalidParameterValue', 'LocalTarget is not supported by this simulator.');
    const apply = prepareReplaceRoute(state, tableId, dest, param, target(q), who);
    return () => {
      apply();
      return ok();
    };
  },
};

export const deleteRoute: ActionDef = {
  name: 'DeleteRoute',
  kind: 'mutate',
  run({ state, q, who }) {
    const tableId = q.req('RouteTableId');
    const { dest, param } = destination(q);
    const apply = prepareDeleteRoute(state, tableId, dest, param, who);
    return () => {
      apply();
      return ok();
    };
  },
};

// CreateNatGateway, DeleteNatGateway, DescribeNatGateways. States, timing and
// failures are in ops/nat-gateways.ts; routes to NAT gateways in
// ops/routes.ts and state.ts (targetView).
import { compileFilters, type FilterSet } from '../filters.js';
import { tagsToXml, type NatGateway } from '../model.js';
import { prepareCreateNatGateway, prepareDeleteNatGateway } from '../ops/nat-gateways.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import type { ActionDef } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A gateway as the NatGateway output shape has it; `state` can be given (CreateNatGateway answers `pending`). */
export function natGatewayXml(g: NatGateway, state: NatGateway['state'] = g.state): XmlObject {
  const failed = state === 'failed' && g.failure !== undefined;
  return {
    createTime: iso(g.createTimeWall),
    deleteTime: g.deleteTimeWall !== undefined && state === 'deleted' ? iso(g.deleteTimeWall) : undefined,
    failureCode: failed ? g.failure?.code : undefined,
    failureMessage: failed ? g.failure?.message : undefined,
    natGatewayAddressSet: [
      {
        allocationId: g.allocationId,
        networkInterfaceId: g.networkInterfaceId,
        privateIp: g.privateIp,
        publicIp: g.publicIp,
      },
    ],
    natGatewayId: g.id,
    state,
    subnetId: g.subnetId,
    vpcId: g.vpcId,
    tagSet: tagsToXml(g.tags),
    connectivityType: g.connectivityType,
  };
}

/** DescribeNatGateways filters: every name AWS documents for the action. */
export const natGatewayFilters: FilterSet<NatGateway, Ec2State> = {
  action: 'DescribeNatGateways',
  tags: (g) => g.tags,
  defs: {
    'nat-gateway-id': (g) => [g.id],
    state: (g) => [g.state],
    'subnet-id': (g) => [g.subnetId],
    'vpc-id': (g) => [g.vpcId],
  },
};

export const describeNatGateways: ActionDef = {
  name: 'DescribeNatGateways',
  kind: 'describe',
  filters: natGatewayFilters,
  run({ state, q }) {
    const ids = q.list('NatGatewayId');
    const match = compileFilters(natGatewayFilters, q.filters(), state);
    const base = ids.length > 0 ? [...new Set(ids)].map((id) => state.natGateway(id)) : [...state.natGateways.values()];
    const page = paginate('DescribeNatGateways', base.filter(match), q.maxResults(), q.str('NextToken'));
    return (): XmlObject => ({ natGatewaySet: page.items.map((g) => natGatewayXml(g)), nextToken: page.nextToken });
  },
};

export const createNatGateway: ActionDef = {
  name: 'CreateNatGateway',
  kind: 'mutate',
  run({ state, q, who }) {
    const connectivity = q.str('ConnectivityType');
    const apply = prepareCreateNatGateway(
      state,
      {
        subnetId: q.req('SubnetId'),
        connectivityType: connectivity === 'private' ? 'private' : 'public',
        allocationId: q.str('AllocationId'),
        privateIp: q.str('PrivateIpAddress'),
        tags: q.tagSpecs('natgateway'),
      },
      who,
    );
    // A new gateway is answered `pending` (as AWS answered in
    // https://github.com/boto/boto3/issues/779), whatever the phase length.
    return () => ({ clientToken: q.str('ClientToken'), natGateway: natGatewayXml(apply(), 'pending') });
  },
};

export const deleteNatGateway: ActionDef = {
  name: 'DeleteNatGateway',
  kind: 'mutate',
  run({ state, q, who }) {
    const apply = prepareDeleteNatGateway(state, q.req('NatGatewayId'), who);
    return () => ({ natGatewayId: apply().id });
  },
};

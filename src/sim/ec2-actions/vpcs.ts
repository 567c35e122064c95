// CreateVpc, CreateSubnet, DescribeVpcs, DescribeSubnets: enough to build a world through the API.
import { compileFilters } from '../filters.js';
import type { Subnet, Vpc } from '../model.js';
import { tagsToXml } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import type { ActionDef } from './types.js';
import { prepareCreateSubnet, prepareCreateVpc } from '../ops/network.js';

const vpcXml = (state: Ec2State, v: Vpc): XmlObject => ({
  vpcId: v.id,
  ownerId: state.accountId,
  state: 'available',
  cidrBlock: v.cidr,
  cidrBlockAssociationSet: [
    { cidrBlock: v.cidr, associationId: `${v.id.replace('vpc-', 'vpc-cidr-assoc-')}`, cidrBlockState: { state: 'associated' } },
  ],
  ipv6CidrBlockAssociationSet:
    v.ipv6Cidr !== undefined
      ? [{ ipv6CidrBlock: v.ipv6Cidr, associationId: `${v.id}-ipv6`, ipv6CidrBlockState: { state: 'associated' } }]
      : [],
  dhcpOptionsId: 'dopt-0123456789abcdef0',
  instanceTenancy: 'default',
  isDefault: false,
  tagSet: tagsToXml(v.tags),
});

const subnetXml = (state: Ec2State, s: Subnet): XmlObject => ({
  subnetId: s.id,
  subnetArn: `arn:aws:ec2:${state.region}:${state.accountId}:subnet/${s.id}`,
  ownerId: state.accountId,
  state: 'available',
  vpcId: s.vpcId,
  cidrBlock: s.cidr,
  ipv6CidrBlockAssociationSet: [],
  availableIpAddressCount: 251,
  availabilityZone: s.az,
  availabilityZoneId: `${state.region.replace(/-/g, '').slice(0, 4)}-az${s.az.charCodeAt(s.az.length - 1) - 96}`,
  defaultForAz: false,
  mapPublicIpOnLaunch: false,
  tagSet: tagsToXml(s.tags),
});

export const createVpc: ActionDef = {
  name: 'CreateVpc',
  kind: 'mutate',
  run({ state, q, who }) {
    q.rejectUnsupported(['Ipv6CidrBlock', 'Ipv4IpamPoolId', 'AmazonProvidedIpv6CidrBlock']);
    const apply = prepareCreateVpc(state, q.req('CidrBlock'), q.tagSpecs('vpc'), who);
    return () => ({ vpc: vpcXml(state, apply()) });
  },
};

export const createSubnet: ActionDef = {
  name: 'CreateSubnet',
  kind: 'mutate',
  run({ state, q, who }) {
    q.rejectUnsupported(['Ipv6CidrBlock', 'AvailabilityZoneId', 'OutpostArn']);
    const apply = prepareCreateSubnet(state, 
      q.req('VpcId'),
      q.req('CidrBlock'),
      q.str('AvailabilityZone'),
      q.tagSpecs('subnet'),
      who,
    );
    return () => ({ subnet: subnetXml(state, apply()) });
  },
};

export const describeVpcs: ActionDef = {
  name: 'DescribeVpcs',
  kind: 'describe',
  run({ state, q }) {
    const ids = q.list('VpcId');
    const match = compileFilters<Vpc>(
      { 'vpc-id': (v) => [v.id], 'cidr-block': (v) => [v.cidr], cidr: (v) => [v.cidr], state: () => ['available'], 'is-default': () => ['false'] },
      q.filters(),
      (v) => v.tags,
    );
    const base = ids.length > 0 ? ids.map((id) => state.vpc(id)) : [...state.vpcs.values()];
    const page = paginate('DescribeVpcs', base.filter(match), q.int('MaxResults', 5, 1000), q.str('NextToken'));
    return () => ({ vpcSet: page.items.map((v) => vpcXml(state, v)), nextToken: page.nextToken });
  },
};

export const describeSubnets: ActionDef = {
  name: 'DescribeSubnets',
  kind: 'describe',
  run({ state, q }) {
    const ids = q.list('SubnetId');
    const match = compileFilters<Subnet>(
      {
        'subnet-id': (s) => [s.id],
        'vpc-id': (s) => [s.vpcId],
        'availability-zone': (s) => [s.az],
        'cidr-block': (s) => [s.cidr],
        state: () => ['available'],
      },
      q.filters(),
      (s) => s.tags,
    );
    const base = ids.length > 0 ? ids.map((id) => state.subnet(id)) : [...state.subnets.values()];
    const page = paginate('DescribeSubnets', base.filter(match), q.int('MaxResults', 5, 1000), q.str('NextToken'));
    return () => ({ subnetSet: page.items.map((s) => subnetXml(state, s)), nextToken: page.nextToken });
  },
};

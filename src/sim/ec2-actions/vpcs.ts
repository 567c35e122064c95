// CreateVpc, CreateSubnet, DescribeVpcs, DescribeSubnets: enough to build a world through the API.
import { compileFilters, type FilterSet, type FilterValues } from '../filters.js';
import type { Subnet, Vpc } from '../model.js';
import { tagsToXml } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import type { ActionDef } from './types.js';
import { prepareCreateSubnet, prepareCreateVpc } from '../ops/network.js';

const none = (): FilterValues => [];
const DHCP_OPTIONS_ID = 'dopt-0123456789abcdef0';
const cidrAssociationId = (v: Vpc): string => v.id.replace('vpc-', 'vpc-cidr-assoc-');
const ipv6AssociationId = (v: Vpc): string => `${v.id}-ipv6`;
const AVAILABLE_IPS = 251;
const subnetArn = (state: Ec2State, s: Subnet): string => `arn:aws:ec2:${state.region}:${state.accountId}:subnet/${s.id}`;
const azId = (state: Ec2State, az: string): string =>
  `${state.region.replace(/-/g, '').slice(0, 4)}-az${az.charCodeAt(az.length - 1) - 96}`;

const vpcXml = (state: Ec2State, v: Vpc): XmlObject => ({
  vpcId: v.id,
  ownerId: state.accountId,
  state: 'available',
  cidrBlock: v.cidr,
  cidrBlockAssociationSet: [
    { cidrBlock: v.cidr, associationId: cidrAssociationId(v), cidrBlockState: { state: 'associated' } },
  ],
  ipv6CidrBlockAssociationSet:
    v.ipv6Cidr !== undefined
      ? [{ ipv6CidrBlock: v.ipv6Cidr, associationId: ipv6AssociationId(v), ipv6CidrBlockState: { state: 'associated' } }]
      : [],
  dhcpOptionsId: DHCP_OPTIONS_ID,
  instanceTenancy: 'default',
  isDefault: false,
  tagSet: tagsToXml(v.tags),
});

const subnetXml = (state: Ec2State, s: Subnet): XmlObject => ({
  subnetId: s.id,
  subnetArn: subnetArn(state, s),
  ownerId: state.accountId,
  state: 'available',
  vpcId: s.vpcId,
  cidrBlock: s.cidr,
  ipv6CidrBlockAssociationSet: [],
  availableIpAddressCount: AVAILABLE_IPS,
  availabilityZone: s.az,
  availabilityZoneId: azId(state, s.az),
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

/** DescribeVpcs filters; the VPCs have no IPv6 pools the simulator would name, so that filter is refused. */
export const vpcFilters: FilterSet<Vpc, Ec2State> = {
  action: 'DescribeVpcs',
  tags: (v) => v.tags,
  defs: {
    'vpc-id': (v) => [v.id],
    cidr: (v) => [v.cidr],
    'cidr-block-association.cidr-block': (v) => [v.cidr],
    'cidr-block-association.association-id': (v) => [cidrAssociationId(v)],
    'cidr-block-association.state': () => ['associated'],
    'ipv6-cidr-block-association.ipv6-cidr-block': (v) => [v.ipv6Cidr],
    'ipv6-cidr-block-association.association-id': (v) => (v.ipv6Cidr !== undefined ? [ipv6AssociationId(v)] : []),
    'ipv6-cidr-block-association.state': (v) => (v.ipv6Cidr !== undefined ? ['associated'] : []),
    'dhcp-options-id': () => [DHCP_OPTIONS_ID],
    'is-default': () => [false],
    'owner-id': (_v, s) => [s.accountId],
    state: () => ['available'],
  },
};

/** DescribeSubnets filters; subnets have no IPv6 ranges, customer-owned pools or outposts here, so those match nothing. */
export const subnetFilters: FilterSet<Subnet, Ec2State> = {
  action: 'DescribeSubnets',
  tags: (s) => s.tags,
  defs: {
    'subnet-id': (s) => [s.id],
    'subnet-arn': (sub, s) => [subnetArn(s, sub)],
    'vpc-id': (s) => [s.vpcId],
    'availability-zone': (s) => [s.az],
    'availability-zone-id': (sub, s) => [azId(s, sub.az)],
    'available-ip-address-count': () => [AVAILABLE_IPS],
    'cidr-block': (s) => [s.cidr],
    'default-for-az': () => [false],
    'map-public-ip-on-launch': () => [false],
    'owner-id': (_sub, s) => [s.accountId],
    state: () => ['available'],
    'ipv6-cidr-block-association.ipv6-cidr-block': none,
    'ipv6-cidr-block-association.association-id': none,
    'ipv6-cidr-block-association.state': none,
    'customer-owned-ipv4-pool': none,
    'outpost-arn': none,
  },
};

export const describeVpcs: ActionDef = {
  name: 'DescribeVpcs',
  kind: 'describe',
  filters: vpcFilters,
  run({ state, q }) {
    const ids = q.list('VpcId');
    const match = compileFilters(vpcFilters, q.filters(), state);
    const base = ids.length > 0 ? ids.map((id) => state.vpc(id)) : [...state.vpcs.values()];
    const page = paginate('DescribeVpcs', base.filter(match), q.maxResults(), q.str('NextToken'));
    return () => ({ vpcSet: page.items.map((v) => vpcXml(state, v)), nextToken: page.nextToken });
  },
};

export const describeSubnets: ActionDef = {
  name: 'DescribeSubnets',
  kind: 'describe',
  filters: subnetFilters,
  run({ state, q }) {
    const ids = q.list('SubnetId');
    const match = compileFilters(subnetFilters, q.filters(), state);
    const base = ids.length > 0 ? ids.map((id) => state.subnet(id)) : [...state.subnets.values()];
    const page = paginate('DescribeSubnets', base.filter(match), q.maxResults(), q.str('NextToken'));
    return () => ({ subnetSet: page.items.map((s) => subnetXml(state, s)), nextToken: page.nextToken });
  },
};

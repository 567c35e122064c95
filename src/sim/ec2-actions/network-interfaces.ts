// DescribeNetworkInterfaces.
import { compileFilters, type FilterSet, type FilterValues } from '../filters.js';
import type { NetworkInterface } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import { dnsName, eniXml } from './instance-xml.js';
import type { ActionDef } from './types.js';

const none = (): FilterValues => [];

/**
 * DescribeNetworkInterfaces filters. Those on things the simulator has none
 * of (public addresses, security groups, IPv6 addresses, requesters) match nothing.
 */
export const eniFilters: FilterSet<NetworkInterface, Ec2State> = {
  action: 'DescribeNetworkInterfaces',
  tags: (e) => e.tags,
  defs: {
    'network-interface-id': (e) => [e.id],
    'attachment.instance-id': (e) => [e.attachment?.instanceId],
    'attachment.instance-owner-id': (e, s) => [e.attachment !== undefined ? s.accountId : undefined],
    'attachment.attachment-id': (e) => [e.attachment?.id],
    'attachment.attach-time': (e) => [e.attachment !== undefined ? new Date(e.attachment.attachTimeWall).toISOString() : undefined],
    'attachment.device-index': (e) => [e.attachment?.deviceIndex],
    'attachment.status': (e) => [e.attachment !== undefined ? 'attached' : undefined],
    'attachment.delete-on-termination': (e) => [e.attachment?.deleteOnTermination],
    'vpc-id': (e) => [e.vpcId],
    'subnet-id': (e) => [e.subnetId],
    'availability-zone': (e) => [e.az],
    'addresses.private-ip-address': (e) => [e.privateIp],
    'addresses.primary': () => [true],
    'private-ip-address': (e) => [e.privateIp],
    'private-dns-name': (e, s) => [dnsName(e.privateIp, s.region)],
    'mac-address': (e) => [e.mac],
    'source-dest-check': (e) => [e.sourceDestCheck],
    status: (e) => [e.attachment !== undefined ? 'in-use' : 'available'],
    'owner-id': (_e, s) => [s.accountId],
    description: (e) => [e.description],
    'interface-type': () => ['interface'],
    'requester-managed': () => [false],
    'addresses.association.public-ip': none,
    'addresses.association.owner-id': none,
    'association.association-id': none,
    'association.allocation-id': none,
    'association.ip-owner-id': none,
    'association.public-ip': none,
    'association.public-dns-name': none,
    'group-id': none,
    'group-name': none,
    'ipv6-addresses.ipv6-address': none,
    'requester-id': none,
  },
};

export const describeNetworkInterfaces: ActionDef = {
  name: 'DescribeNetworkInterfaces',
  kind: 'describe',
  filters: eniFilters,
  run({ state, q }) {
    const ids = q.list('NetworkInterfaceId');
    const match = compileFilters(eniFilters, q.filters(), state);
    const base = ids.length > 0 ? ids.map((id) => state.eni(id)) : [...state.enis.values()];
    const page = paginate('DescribeNetworkInterfaces', base.filter(match), q.maxResults(), q.str('NextToken'));
    return () => ({ networkInterfaceSet: page.items.map((e) => eniXml(state, e)), nextToken: page.nextToken });
  },
};

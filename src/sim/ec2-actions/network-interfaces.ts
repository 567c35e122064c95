// DescribeNetworkInterfaces.
import { compileFilters, type FilterDefs } from '../filters.js';
import type { NetworkInterface } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import { eniXml } from './instance-xml.js';
import type { ActionDef } from './types.js';

const eniFilters = (state: Ec2State): FilterDefs<NetworkInterface> => ({
  'network-interface-id': (e) => [e.id],
  'attachment.instance-id': (e) => [e.attachment?.instanceId],
  'attachment.instance-owner-id': (e) => [e.attachment !== undefined ? state.accountId : undefined],
  'attachment.attachment-id': (e) => [e.attachment?.id],
  'attachment.device-index': (e) => [e.attachment?.deviceIndex],
  'attachment.status': (e) => [e.attachment !== undefined ? 'attached' : undefined],
  'attachment.delete-on-termination': (e) => [e.attachment?.deleteOnTermination],
  'vpc-id': (e) => [e.vpcId],
  'subnet-id': (e) => [e.subnetId],
  'availability-zone': (e) => [e.az],
  'addresses.private-ip-address': (e) => [e.privateIp],
  'private-ip-address': (e) => [e.privateIp],
  'mac-address': (e) => [e.mac],
  'source-dest-check': (e) => [e.sourceDestCheck],
  status: (e) => [e.attachment !== undefined ? 'in-use' : 'available'],
  'owner-id': () => [state.accountId],
  description: (e) => [e.description],
  'interface-type': () => ['interface'],
  'requester-managed': () => ['false'],
});

export const describeNetworkInterfaces: ActionDef = {
  name: 'DescribeNetworkInterfaces',
  kind: 'describe',
  run({ state, q }) {
    const ids = q.list('NetworkInterfaceId');
    const max = q.int('MaxResults', 5, 1000);
    const match = compileFilters(eniFilters(state), q.filters(), (e) => e.tags);
    const base = ids.length > 0 ? ids.map((id) => state.eni(id)) : [...state.enis.values()];
    const page = paginate('DescribeNetworkInterfaces', base.filter(match), max, q.str('NextToken'));
    return () => ({ networkInterfaceSet: page.items.map((e) => eniXml(state, e)), nextToken: page.nextToken });
  },
};

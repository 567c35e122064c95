// DescribeInstances, DescribeInstanceStatus, RunInstances, Stop/Start/TerminateInstances.
import { Ec2Error, missing } from '../errors.js';
import { compileFilters, type FilterSet, type FilterValues } from '../filters.js';
import { parseIpv4 } from '../cidr.js';
import type { Instance, StatusValue } from '../model.js';
import { STATE_CODES } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import { dnsName, IMDS_HOP_LIMIT, instanceProfileArn, instanceXml, stateXml } from './instance-xml.js';
import type { ActionDef } from './types.js';
import { type Change, freeLoopbackIp, prepareRun, prepareStart, prepareStop, prepareTerminate } from '../ops/instances.js';

const none = (): FilterValues => [];
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * DescribeInstances filters. Those on things the simulator has none of
 * (security groups, public addresses, EBS volumes, key pairs, spot, hosts,
 * outposts, capacity reservations, product codes) truthfully match nothing.
 */
export const instanceFilters: FilterSet<Instance, Ec2State> = {
  action: 'DescribeInstances',
  tags: (i) => i.tags,
  defs: {
    'instance-id': (i) => [i.id],
    'instance-state-name': (i) => [i.state],
    'instance-state-code': (i) => [STATE_CODES[i.state]],
    'vpc-id': (i) => (i.state === 'terminated' ? [] : [i.vpcId]),
    'subnet-id': (i) => (i.state === 'terminated' ? [] : [i.subnetId]),
    'availability-zone': (i) => [i.az],
    'private-ip-address': (i, s) => s.attachedEnis(i).slice(0, 1).map((e) => e.privateIp),
    'private-dns-name': (i, s) => s.attachedEnis(i).slice(0, 1).map((e) => dnsName(e.privateIp, s.region)),
    'source-dest-check': (i, s) => [s.instanceSourceDestCheck(i)],
    'image-id': (i) => [i.imageId],
    'instance-type': (i) => [i.instanceType],
    'reservation-id': (i) => [i.reservationId],
    'owner-id': (_i, s) => [s.accountId],
    'launch-time': (i) => [iso(i.launchTimeWall)],
    architecture: () => ['x86_64'],
    hypervisor: () => ['xen'],
    'virtualization-type': () => ['hvm'],
    'root-device-type': () => ['ebs'],
    'root-device-name': () => ['/dev/xvda'],
    tenancy: () => ['default'],
    'monitoring-state': () => ['disabled'],
    'iam-instance-profile.arn': (i, s) => (i.iamRole !== undefined ? [instanceProfileArn(s, i.iamRole)] : []),
    'metadata-options.http-tokens': (i) => [i.imdsV2Required ? 'required' : 'optional'],
    'metadata-options.http-put-response-hop-limit': () => [IMDS_HOP_LIMIT],
    'metadata-options.http-endpoint': () => ['enabled'],
    'network-interface.network-interface-id': (i, s) => s.attachedEnis(i).map((e) => e.id),
    'network-interface.addresses.private-ip-address': (i, s) => s.attachedEnis(i).map((e) => e.privateIp),
    'network-interface.addresses.primary': (i, s) => s.attachedEnis(i).map(() => true),
    'network-interface.attachment.attachment-id': (i, s) => s.attachedEnis(i).map((e) => e.attachment?.id),
    'network-interface.attachment.instance-id': (i, s) => s.attachedEnis(i).map(() => i.id),
    'network-interface.attachment.instance-owner-id': (i, s) => s.attachedEnis(i).map(() => s.accountId),
    'network-interface.attachment.device-index': (i, s) => s.attachedEnis(i).map((e) => e.attachment?.deviceIndex),
    'network-interface.attachment.status': (i, s) => s.attachedEnis(i).map(() => 'attached'),
    'network-interface.attachment.attach-time': (i, s) =>
      s.attachedEnis(i).map((e) => (e.attachment !== undefined ? iso(e.attachment.attachTimeWall) : undefined)),
    'network-interface.attachment.delete-on-termination': (i, s) => s.attachedEnis(i).map((e) => e.attachment?.deleteOnTermination),
    'network-interface.availability-zone': (i, s) => s.attachedEnis(i).map((e) => e.az),
    'network-interface.description': (i, s) => s.attachedEnis(i).map((e) => e.description),
    'network-interface.mac-address': (i, s) => s.attachedEnis(i).map((e) => e.mac),
    'network-interface.owner-id': (i, s) => s.attachedEnis(i).map(() => s.accountId),
    'network-interface.private-dns-name': (i, s) => s.attachedEnis(i).map((e) => dnsName(e.privateIp, s.region)),
    'network-interface.requester-managed': (i, s) => s.attachedEnis(i).map(() => false),
    'network-interface.status': (i, s) => s.attachedEnis(i).map(() => 'in-use'),
    'network-interface.source-dest-check': (i, s) => s.attachedEnis(i).map((e) => e.sourceDestCheck),
    'network-interface.subnet-id': (i, s) => s.attachedEnis(i).map((e) => e.subnetId),
    'network-interface.vpc-id': (i, s) => s.attachedEnis(i).map((e) => e.vpcId),
    'network-interface.addresses.association.public-ip': none,
    'network-interface.addresses.association.ip-owner-id': none,
    'network-interface.association.public-ip': none,
    'network-interface.association.ip-owner-id': none,
    'network-interface.association.allocation-id': none,
    'network-interface.association.association-id': none,
    'network-interface.group-id': none,
    'network-interface.group-name': none,
    'network-interface.ipv6-addresses.ipv6-address': none,
    'network-interface.requester-id': none,
    'group-id': none,
    'group-name': none,
    'instance.group-id': none,
    'instance.group-name': none,
    'ip-address': none,
    'dns-name': none,
    'block-device-mapping.attach-time': none,
    'block-device-mapping.delete-on-termination': none,
    'block-device-mapping.device-name': none,
    'block-device-mapping.status': none,
    'block-device-mapping.volume-id': none,
    'key-name': none,
    'instance-lifecycle': none,
    'spot-instance-request-id': none,
    'host-id': none,
    affinity: none,
    'outpost-arn': none,
    'capacity-reservation-id': none,
    'placement-group-name': none,
    'placement-partition-number': none,
    'product-code': none,
    'product-code.type': none,
    'requester-id': none,
    'kernel-id': none,
    'ramdisk-id': none,
    platform: none,
  },
};

/** What a describe call sees: visible instances with their state at the read time (see Ec2State.describableInstances). */
function instancesById(state: Ec2State, ids: readonly string[]): Instance[] {
  return state.describableInstances(ids);
}

export const describeInstances: ActionDef = {
  name: 'DescribeInstances',
  kind: 'describe',
  filters: instanceFilters,
  run({ state, q }) {
    const ids = q.list('InstanceId');
    const match = compileFilters(instanceFilters, q.filters(), state);
    const all = instancesById(state, ids).filter(match);
    const page = paginate('DescribeInstances', all, q.maxResults(), q.str('NextToken'));
    return (): XmlObject => {
      const byReservation = new Map<string, Instance[]>();
      for (const i of page.items) {
        const list = byReservation.get(i.reservationId) ?? [];
        list.push(i);
        byReservation.set(i.reservationId, list);
      }
      return {
        reservationSet: [...byReservation].map(([reservationId, insts]) => ({
          reservationId,
          ownerId: state.accountId,
          groupSet: [],
          instancesSet: insts.map((i, n) => instanceXml(state, i, n)),
        })),
        nextToken: page.nextToken,
      };
    };
  },
};

const DETAIL: Partial<Record<StatusValue, string>> = {
  ok: 'passed',
  impaired: 'failed',
  initializing: 'initializing',
  'insufficient-data': 'insufficient-data',
};

function statusXml(status: StatusValue, impairedSinceWall: number): XmlObject {
  const detail = DETAIL[status];
  return {
    status,
    details:
      detail === undefined
        ? []
        : [
            {
              name: 'reachability',
              status: detail,
              impairedSince: status === 'impaired' ? new Date(impairedSinceWall).toISOString() : undefined,
            },
          ],
  };
}

/** DescribeInstanceStatus filters; the simulator has no scheduled events, so event filters match nothing. */
export const instanceStatusFilters: FilterSet<Instance, Ec2State> = {
  action: 'DescribeInstanceStatus',
  defs: {
    'instance-state-name': (i) => [i.state],
    'instance-state-code': (i) => [STATE_CODES[i.state]],
    'availability-zone': (i) => [i.az],
    'instance-status.status': (i, s) => [s.effectiveStatus(i).instance],
    'system-status.status': (i, s) => [s.effectiveStatus(i).system],
    'instance-status.reachability': (i, s) => [DETAIL[s.effectiveStatus(i).instance]],
    'system-status.reachability': (i, s) => [DETAIL[s.effectiveStatus(i).system]],
    'event.code': none,
    'event.description': none,
    'event.instance-event-id': none,
    'event.not-after': none,
    'event.not-before': none,
    'event.not-before-deadline': none,
  },
};

export const describeInstanceStatus: ActionDef = {
  name: 'DescribeInstanceStatus',
  kind: 'describe',
  filters: instanceStatusFilters,
  run({ state, q }) {
    const ids = q.list('InstanceId');
    const all = q.bool('IncludeAllInstances') === true;
    const match = compileFilters(instanceStatusFilters, q.filters(), state);
    const rows = instancesById(state, ids).filter((i) => (all || i.state === 'running') && match(i));
    const page = paginate('DescribeInstanceStatus', rows, q.maxResults(), q.str('NextToken'));
    const wall = state.clock.wall();
    return () => ({
      instanceStatusSet: page.items.map((i) => {
        const s = state.effectiveStatus(i);
        return {
          instanceId: i.id,
          availabilityZone: i.az,
          instanceState: stateXml(i),
          instanceStatus: statusXml(s.instance, wall),
          systemStatus: statusXml(s.system, wall),
        };
      }),
      nextToken: page.nextToken,
    });
  },
};

function requireIds(ids: readonly string[]): readonly string[] {
  if (ids.length === 0) throw missing('InstanceId');
  return ids;
}

const changeXml = (changes: readonly Change[]): XmlObject => ({
  instancesSet: changes.map((c) => ({
    instanceId: c.id,
    currentState: { code: STATE_CODES[c.after], name: c.after },
    previousState: { code: STATE_CODES[c.before], name: c.before },
  })),
});

export const stopInstances: ActionDef = {
  name: 'StopInstances',
  kind: 'mutate',
  run({ state, q, who }) {
    const apply = prepareStop(state, requireIds(q.list('InstanceId')), who);
    return () => changeXml(apply());
  },
};

export const startInstances: ActionDef = {
  name: 'StartInstances',
  kind: 'mutate',
  run({ state, q, who }) {
    const apply = prepareStart(state, requireIds(q.list('InstanceId')), who);
    return () => changeXml(apply());
  },
};

export const terminateInstances: ActionDef = {
  name: 'TerminateInstances',
  kind: 'mutate',
  run({ state, q, who }) {
    const apply = prepareTerminate(state, requireIds(q.list('InstanceId')), who);
    return () => changeXml(apply());
  },
};

export const runInstances: ActionDef = {
  name: 'RunInstances',
  kind: 'mutate',
  run({ state, q, who }) {
    q.rejectUnsupported(['NetworkInterface', 'LaunchTemplate']);
    const imageId = q.req('ImageId');
    const min = q.int('MinCount', 1, 20);
    const max = q.int('MaxCount', 1, 20);
    if (min === undefined) throw missing('MinCount');
    if (max === undefined) throw missing('MaxCount');
    if (min > max) throw new Ec2Error('InvalidParameterValue', 'MinCount must be less than or equal to MaxCount');
    const subnetId = q.str('SubnetId');
    if (subnetId === undefined)
      throw new Ec2Error('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
    const ip = q.str('PrivateIpAddress');
    if (ip !== undefined && max > 1)
      throw new Ec2Error('InvalidParameterCombination', 'Cannot specify a private IP address when launching more than one instance');
    if (ip !== undefined && (parseIpv4(ip) === undefined || !ip.startsWith('127.')))
      throw new Ec2Error('InvalidParameterValue', `Address ${ip} is not in 127.0.0.0/8, where this simulator keeps instance addresses.`);
    const tokens = q.str('MetadataOptions.HttpTokens') ?? 'required';
    if (tokens !== 'required' && tokens !== 'optional')
      throw new Ec2Error('InvalidParameterValue', `Value (${tokens}) for parameter MetadataOptions.HttpTokens is invalid.`);
    const ips: string[] = [];
    if (ip !== undefined) ips.push(ip);
    else for (let n = 0; n < max; n++) ips.push(freeLoopbackIp(state, new Set(ips)));
    const apply = prepareRun(state, 
      {
        subnetId,
        privateIps: ips,
        imdsV2Required: tokens === 'required',
        iamRole: q.str('IamInstanceProfile.Name'),
        tags: q.tagSpecs('instance'),
        eniTags: q.tagSpecs('network-interface'),
        imageId,
        instanceType: q.str('InstanceType') ?? 'm1.small',
      },
      who,
    );
    return () => {
      const insts = apply();
      return {
        reservationId: insts[0]?.reservationId,
        ownerId: state.accountId,
        groupSet: [],
        instancesSet: insts.map((i, n) => instanceXml(state, i, n)),
      };
    };
  },
};

// DescribeInstances, DescribeInstanceStatus, RunInstances, Stop/Start/TerminateInstances.
import { Ec2Error, missing } from '../errors.js';
import { compileFilters, type FilterDefs } from '../filters.js';
import { parseIpv4 } from '../cidr.js';
import type { Instance, StatusValue } from '../model.js';
import { STATE_CODES } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import { instanceXml, stateXml } from './instance-xml.js';
import type { ActionDef } from './types.js';
import { type Change, freeLoopbackIp, prepareRun, prepareStart, prepareStop, prepareTerminate } from '../ops/instances.js';

const instanceFilters = (state: Ec2State): FilterDefs<Instance> => ({
  'instance-id': (i) => [i.id],
  'instance-state-name': (i) => [i.state],
  'instance-state-code': (i) => [String(STATE_CODES[i.state])],
  'vpc-id': (i) => (i.state === 'terminated' ? [] : [i.vpcId]),
  'subnet-id': (i) => (i.state === 'terminated' ? [] : [i.subnetId]),
  'availability-zone': (i) => [i.az],
  'private-ip-address': (i) => state.attachedEnis(i).slice(0, 1).map((e) => e.privateIp),
  'network-interface.network-interface-id': (i) => state.attachedEnis(i).map((e) => e.id),
  'network-interface.addresses.private-ip-address': (i) => state.attachedEnis(i).map((e) => e.privateIp),
  'source-dest-check': (i) => [state.instanceSourceDestCheck(i)],
  'image-id': (i) => [i.imageId],
  'instance-type': (i) => [i.instanceType],
  'reservation-id': (i) => [i.reservationId],
  'owner-id': () => [state.accountId],
});

/** What a describe call sees: visible instances with their state at the read time (see Ec2State.describableInstances). */
function instancesById(state: Ec2State, ids: readonly string[]): Instance[] {
  return state.describableInstances(ids);
}

export const describeInstances: ActionDef = {
  name: 'DescribeInstances',
  kind: 'describe',
  run({ state, q }) {
    const ids = q.list('InstanceId');
    const max = q.int('MaxResults', 5, 1000);
    if (max !== undefined && ids.length > 0)
      throw new Ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
    const match = compileFilters(instanceFilters(state), q.filters(), (i) => i.tags);
    const all = instancesById(state, ids).filter(match);
    const page = paginate('DescribeInstances', all, max, q.str('NextToken'));
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

export const describeInstanceStatus: ActionDef = {
  name: 'DescribeInstanceStatus',
  kind: 'describe',
  run({ state, q }) {
    const ids = q.list('InstanceId');
    const max = q.int('MaxResults', 5, 1000);
    if (max !== undefined && ids.length > 0)
      throw new Ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
    const all = q.bool('IncludeAllInstances') === true;
    const match = compileFilters<Instance>(
      {
        'instance-id': (i) => [i.id],
        'instance-state-name': (i) => [i.state],
        'instance-state-code': (i) => [String(STATE_CODES[i.state])],
        'availability-zone': (i) => [i.az],
        'instance-status.status': (i) => [state.effectiveStatus(i).instance],
        'system-status.status': (i) => [state.effectiveStatus(i).system],
        'instance-status.reachability': (i) => [DETAIL[state.effectiveStatus(i).instance]],
        'system-status.reachability': (i) => [DETAIL[state.effectiveStatus(i).system]],
      },
      q.filters(),
    );
    const rows = instancesById(state, ids).filter((i) => (all || i.state === 'running') && match(i));
    const page = paginate('DescribeInstanceStatus', rows, max, q.str('NextToken'));
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

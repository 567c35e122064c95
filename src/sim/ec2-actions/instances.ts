// DescribeInstances, RunInstances, Stop/Start/TerminateInstances
// (DescribeInstanceStatus is in instance-status.ts).
import { parseIpv4 } from '../cidr.js';
import { Ec2Error, missing } from '../errors.js';
import { compileFilters } from '../filters.js';
import type { Instance } from '../model.js';
import { STATE_CODES } from '../model.js';
import { type Change, freeLoopbackIp, prepareRun, prepareStart, prepareStop, prepareTerminate } from '../ops/instances.js';
import { paginate } from '../paging.js';
import type { XmlObject } from '../xml.js';
import { instanceFilters } from './instance-filters.js';
import { instanceXml } from './instance-xml.js';
import type { ActionDef } from './types.js';

export const describeInstances: ActionDef = {
  name: 'DescribeInstances',
  kind: 'describe',
  filters: instanceFilters,
  run({ state, q }) {
    const ids = q.list('InstanceId');
    const match = compileFilters(instanceFilters, q.filters(), state);
    // Visible instances, each with its state at the read time (Ec2State.describableInstances).
    const all = state.describableInstances(ids).filter(match);
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

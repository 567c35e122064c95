// Instance lifecycle (run, stop, start, terminate) and the linked
// source/destination check of instances and their interfaces.
import { Ec2Error, multipleInterfaces } from '../errors.js';
import { macFor } from '../ids.js';
import { noSignals, type Instance, type InstanceStateName, type Tags } from '../model.js';
import type { Who } from '../mutations.js';
import type { Ec2State } from '../state.js';
import type { Apply } from './types.js';

/** One instance's state before and after a lifecycle call (after is the phase it entered, or the end state). */
export interface Change {
  readonly id: string;
  readonly before: InstanceStateName;
  readonly after: InstanceStateName;
}

export function prepareSetEniSourceDestCheck(s: Ec2State, eniId: string, value: boolean, who: Who): Apply {
  const eni = s.eni(eniId);
  return () => {
    const before = eni.sourceDestCheck;
    eni.sourceDestCheck = value;
    s.record({ kind: 'resource', ...who, resourceId: eni.id, detail: { sourceDestCheck: { before, after: value } } });
  };
}

export function prepareSetInstanceSourceDestCheck(s: Ec2State, instanceId: string, value: boolean, who: Who): Apply {
  const inst = s.instance(instanceId);
  const attached = s.attachedEnis(inst);
  if (attached.length > 1) throw multipleInterfaces(inst.id);
  const primary = attached[0];
  if (primary === undefined)
    throw new Ec2Error('IncorrectInstanceState', `The instance '${inst.id}' has no network interface.`);
  return prepareSetEniSourceDestCheck(s, primary.id, value, who);
}

export function prepareStop(s: Ec2State, ids: readonly string[], who: Who): Apply<Change[]> {
  const insts = s.instancesByIds(ids);
  for (const i of insts)
    if (i.state === 'terminated' || i.state === 'shutting-down')
      throw new Ec2Error('IncorrectInstanceState', `This instance '${i.id}' is not in a state from which it can be stopped.`);
  return () =>
    insts.map((i) => {
      const before = i.state;
      if (before === 'running' || before === 'pending') s.phases.enter(i, 'stopping', s.timing.stoppingMs, who);
      return { id: i.id, before, after: i.state };
    });
}

export function prepareStart(s: Ec2State, ids: readonly string[], who: Who): Apply<Change[]> {
  const insts = s.instancesByIds(ids);
  for (const i of insts)
    if (i.state !== 'stopped' && i.state !== 'running' && i.state !== 'pending')
      throw new Ec2Error('IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be started.`);
  return () =>
    insts.map((i) => {
      const before = i.state;
      if (before === 'stopped') s.phases.enter(i, 'pending', s.timing.pendingMs, who);
      return { id: i.id, before, after: i.state };
    });
}

export function prepareTerminate(s: Ec2State, ids: readonly string[], who: Who): Apply<Change[]> {
  const insts = s.instancesByIds(ids);
  return () =>
    insts.map((i) => {
      const before = i.state;
      if (before !== 'terminated' && before !== 'shutting-down')
        s.phases.enter(i, 'shutting-down', s.timing.shuttingDownMs, who);
      return { id: i.id, before, after: i.state };
    });
}

/** Creates a running-soon instance with one primary interface. */
export function prepareRun(
  s: Ec2State,
  spec: {
    subnetId: string;
    privateIps: readonly string[];
    imdsV2Required: boolean;
    iamRole: string | undefined;
    tags: Tags;
    eniTags: Tags;
    imageId: string;
    instanceType: string;
  },
  who: Who,
): Apply<Instance[]> {
  const subnet = s.subnet(spec.subnetId);
  const used = new Set([...s.enis.values()].map((e) => e.privateIp));
  for (const ip of spec.privateIps)
    if (used.has(ip))
      throw new Ec2Error('InvalidIPAddress.InUse', `Address ${ip} is in use.`);
  return () => {
    const reservationId = s.ids.next('r');
    return spec.privateIps.map((ip) => {
      const id = s.ids.next('i');
      const eniId = s.ids.next('eni');
      s.enis.set(eniId, {
        id: eniId,
        subnetId: subnet.id,
        vpcId: subnet.vpcId,
        az: subnet.az,
        privateIp: ip,
        mac: macFor(eniId),
        sourceDestCheck: true,
        attachment: {
          id: s.ids.next('eni-attach'),
          instanceId: id,
          deviceIndex: 0,
          deleteOnTermination: true,
          attachTimeWall: s.clock.wall(),
        },
        tags: new Map(spec.eniTags),
        description: '',
      });
      const inst: Instance = {
        id,
        az: subnet.az,
        subnetId: subnet.id,
        vpcId: subnet.vpcId,
        state: 'pending',
        phaseEndsAt: undefined,
        phaseCause: undefined,
        terminatedAt: undefined,
        eniIds: [eniId],
        imdsV2Required: spec.imdsV2Required,
        iamRole: spec.iamRole,
        tags: new Map(spec.tags),
        launchTimeWall: s.clock.wall(),
        instanceStatus: undefined,
        systemStatus: undefined,
        imageId: spec.imageId,
        instanceType: spec.instanceType,
        reservationId,
        signals: noSignals(),
      };
      s.addInstance(inst);
      s.record({ kind: 'instance', ...who, instanceId: id, before: null, after: { state: 'pending' } });
      s.phases.scheduleEnd(inst, s.timing.pendingMs, who);
      return inst;
    });
  };
}

/** A free 127.x address for RunInstances without PrivateIpAddress. */
export function freeLoopbackIp(s: Ec2State, taken: ReadonlySet<string> = new Set()): string {
  const used = new Set([...s.enis.values()].map((e) => e.privateIp));
  for (let n = 1; n < 65000; n++) {
    const ip = `127.0.${200 + Math.floor(n / 250)}.${(n % 250) + 1}`;
    if (!used.has(ip) && !taken.has(ip)) return ip;
  }
  throw new Ec2Error('InsufficientFreeAddressesInSubnet', 'No free addresses left in 127.0.200.0/21.');
}

// Source/destination check, linked as in AWS: the instance attribute is its
// primary interface's; on an instance with several interfaces the
// instance-level change is refused (InvalidInstanceID) and the interface
// call is needed.
import { Ec2Error, invalidValue, missing } from '../errors.js';
import type { Query } from '../query.js';
import type { ActionDef } from './types.js';
import { ok } from './types.js';
import { prepareSetEniSourceDestCheck, prepareSetInstanceSourceDestCheck } from '../ops/instances.js';

const boolValue = (q: Query, name: string): boolean | undefined => {
  const v = q.str(name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalidValue(name, v, 'Expected true or false.');
  return v === 'true';
};

export const describeInstanceAttribute: ActionDef = {
  name: 'DescribeInstanceAttribute',
  kind: 'describe',
  run({ state, q }) {
    const inst = state.instance(q.req('InstanceId'));
    const attr = q.req('Attribute');
    switch (attr) {
      case 'sourceDestCheck': {
        const value = state.instanceSourceDestCheck(inst);
        return () => ({ instanceId: inst.id, sourceDestCheck: value === undefined ? undefined : { value } });
      }
      case 'instanceType':
        return () => ({ instanceId: inst.id, instanceType: { value: inst.instanceType } });
      default:
        throw invalidValue('attribute', attr, 'This simulator models sourceDestCheck and instanceType.');
    }
  },
};

export const modifyInstanceAttribute: ActionDef = {
  name: 'ModifyInstanceAttribute',
  kind: 'mutate',
  run({ state, q, who }) {
    const id = q.req('InstanceId');
    let value = boolValue(q, 'SourceDestCheck.Value');
    const attr = q.str('Attribute');
    if (value === undefined && attr !== undefined) {
      if (attr !== 'sourceDestCheck') throw invalidValue('attribute', attr, 'This simulator models sourceDestCheck only.');
      value = boolValue(q, 'Value');
    }
    if (value === undefined) {
      state.instance(id);
      throw missing('SourceDestCheck');
    }
    const apply = prepareSetInstanceSourceDestCheck(state, id, value, who);
    return () => {
      apply();
      return ok();
    };
  },
};

export const modifyNetworkInterfaceAttribute: ActionDef = {
  name: 'ModifyNetworkInterfaceAttribute',
  kind: 'mutate',
  run({ state, q, who }) {
    const id = q.req('NetworkInterfaceId');
    const value = boolValue(q, 'SourceDestCheck.Value');
    if (value === undefined) {
      state.eni(id);
      const others = ['Description.Value', 'Attachment.AttachmentId', 'SecurityGroupId.1'].some((n) => q.str(n) !== undefined);
      if (others) throw new Ec2Error('InvalidParameterValue', 'This simulator models SourceDestCheck only.');
      throw missing('SourceDestCheck');
    }
    const apply = prepareSetEniSourceDestCheck(state, id, value, who);
    return () => {
      apply();
      return ok();
    };
  },
};

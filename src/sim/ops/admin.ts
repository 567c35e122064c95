// Changes only the admin API makes (no AWS API equivalent): status checks,
// and interfaces detached or deleted under an instance. Immediate, logged.
import type { StatusValue } from '../model.js';
import type { Who } from '../mutations.js';
import type { Ec2State } from '../state.js';

export function setInstanceStatus(s: Ec2State, instanceId: string, status: { instance?: StatusValue; system?: StatusValue }, who: Who): void {
  const inst = s.instance(instanceId);
  if (status.instance !== undefined) inst.instanceStatus = status.instance;
  if (status.system !== undefined) inst.systemStatus = status.system;
  s.record({ kind: 'resource', ...who, resourceId: inst.id, detail: { status } });
}

/** Detaches an interface from its instance (the admin API's way to model a detached ENI). */
export function detachInterface(s: Ec2State, eniId: string, who: Who): void {
  const eni = s.eni(eniId);
  const instanceId = eni.attachment?.instanceId;
  eni.attachment = undefined;
  if (instanceId !== undefined) {
    const inst = s.instances.get(instanceId);
    if (inst !== undefined) {
      const i = inst.eniIds.indexOf(eniId);
      if (i !== -1) inst.eniIds.splice(i, 1);
    }
  }
  s.record({ kind: 'resource', ...who, resourceId: eni.id, detail: { detachedFrom: instanceId ?? null } });
}

export function deleteInterface(s: Ec2State, eniId: string, who: Who): void {
  const eni = s.eni(eniId);
  if (eni.attachment !== undefined) detachInterface(s, eniId, who);
  s.enis.delete(eniId);
  s.record({ kind: 'resource', ...who, resourceId: eniId, detail: { deleted: true } });
}

// Changes only the admin API makes (no AWS API equivalent): status checks,
// interfaces detached or deleted under an instance, and the lifecycle signals
// the instance's metadata shows. Immediate, logged.
import type { EventCode, ScheduledEvent, SpotAction, StatusValue, TargetLifecycleState } from '../model.js';
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

// ---- lifecycle signals in the instance's metadata (signals.ts) -----------

/** Raises (or, with null, clears) the Spot interruption notice: spot/instance-action. */
export function setSpotInterruption(
  s: Ec2State,
  instanceId: string,
  notice: { readonly action: SpotAction; readonly timeWall: number } | null,
  who: Who,
): void {
  const inst = s.instance(instanceId);
  inst.signals.spotAction = notice ?? undefined;
  s.record({ kind: 'resource', ...who, resourceId: inst.id, detail: { spotInstanceAction: notice } });
}

/** Sets (or, with null, clears: not in an Auto Scaling group) autoscaling/target-lifecycle-state. */
export function setTargetLifecycleState(s: Ec2State, instanceId: string, state: TargetLifecycleState | null, who: Who): void {
  const inst = s.instance(instanceId);
  inst.signals.targetLifecycleState = state ?? undefined;
  s.record({ kind: 'resource', ...who, resourceId: inst.id, detail: { targetLifecycleState: state } });
}

/** Adds an active event to events/maintenance/scheduled. */
export function addScheduledEvent(
  s: Ec2State,
  instanceId: string,
  e: { readonly code: EventCode; readonly description: string; readonly notBeforeWall: number; readonly notAfterWall: number | undefined },
  who: Who,
): ScheduledEvent {
  const inst = s.instance(instanceId);
  const event: ScheduledEvent = { eventId: s.ids.next('instance-event'), ...e };
  inst.signals.scheduledEvents.push(event);
  s.record({ kind: 'resource', ...who, resourceId: inst.id, detail: { scheduledEvent: { added: event.eventId, code: event.code } } });
  return event;
}

/** Removes one scheduled event (by id) or all of them; an unknown event id is SIM_NOT_FOUND-worthy, so it answers false. */
export function clearScheduledEvents(s: Ec2State, instanceId: string, eventId: string | undefined, who: Who): boolean {
  const inst = s.instance(instanceId);
  const list = inst.signals.scheduledEvents;
  const before = list.length;
  const keep = eventId === undefined ? [] : list.filter((e) => e.eventId !== eventId);
  if (eventId !== undefined && keep.length === before) return false;
  list.splice(0, list.length, ...keep);
  s.record({ kind: 'resource', ...who, resourceId: inst.id, detail: { scheduledEvent: { removed: eventId ?? 'all' } } });
  return true;
}

/** Raises (or, with null, clears) the rebalance recommendation: events/recommendations/rebalance. */
export function setRebalanceRecommendation(s: Ec2State, instanceId: string, noticeWall: number | null, who: Who): void {
  const inst = s.instance(instanceId);
  inst.signals.rebalanceNoticeWall = noticeWall ?? undefined;
  s.record({ kind: 'resource', ...who, resourceId: inst.id, detail: { rebalanceRecommendation: noticeWall !== null ? new Date(noticeWall).toISOString() : null } });
}

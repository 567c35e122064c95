// The instance's own lifecycle signals as its metadata shows them (served by
// imds-server.ts; set by the world file's `metadata:` and the admin API):
//
// * spot/instance-action: {"action": "terminate", "time": "2017-09-18T08:22:00Z"};
//   "If Amazon EC2 is not preparing to stop or terminate the instance, or if
//   you terminated the instance yourself, instance-action is not present in
//   the instance metadata and you receive an HTTP 404 error" (Spot Instance
//   interruption notices,
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html).
// * spot/termination-time (kept "for backward compatibility"): the time
//   alone, `2015-01-05T18:02:00Z`, present only when the instance "is marked
//   for termination" (same page), so 404 for a stop or hibernate notice.
// * autoscaling/target-lifecycle-state: plain text (`InService`, ...),
//   "Present when the instance transitions to one of the target lifecycle
//   states" (Instance metadata categories,
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html;
//   https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html),
//   so 404 for an instance outside an Auto Scaling group.
// * events/maintenance/scheduled: a JSON list of the active events, each
//   {NotBefore, Code, Description, EventId, NotAfter, State} with times like
//   "21 Jan 2019 09:00:43 GMT" (Scheduled events,
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html).
//   Without events: `[]` (see imds-server.ts for why).
// * events/recommendations/rebalance: {"noticeTime": "2020-10-27T08:22:00Z"};
//   "If the signal has not been emitted for the instance, ... you receive an
//   HTTP 404 error" (EC2 instance rebalance recommendations,
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html).
import type { EventCode, Instance, ScheduledEvent } from './model.js';

/** ISO 8601 in whole seconds, as AWS writes these times (`2017-09-18T08:22:00Z`). */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `21 Jan 2019 09:00:43 GMT`, the scheduled events' time format. */
export const eventTime = (ms: number): string => new Date(ms).toUTCString().replace(/^[A-Za-z]{3}, /, '');

/** A description when none is given; AWS's example for a reboot reads "scheduled reboot". */
export function defaultDescription(code: EventCode): string {
  switch (code) {
    case 'instance-reboot':
    case 'system-reboot':
      return 'scheduled reboot';
    case 'system-maintenance':
      return 'scheduled maintenance';
    case 'instance-retirement':
      return 'scheduled retirement';
    case 'instance-stop':
      return 'scheduled stop';
  }
}

export function spotInstanceActionDoc(inst: Instance): string | undefined {
  const a = inst.signals.spotAction;
  return a !== undefined ? JSON.stringify({ action: a.action, time: isoSeconds(a.timeWall) }) : undefined;
}

export function spotTerminationTimeDoc(inst: Instance): string | undefined {
  const a = inst.signals.spotAction;
  return a?.action === 'terminate' ? isoSeconds(a.timeWall) : undefined;
}

export function scheduledEventView(e: ScheduledEvent): Record<string, string> {
  return {
    NotBefore: eventTime(e.notBeforeWall),
    Code: e.code,
    Description: e.description,
    EventId: e.eventId,
    ...(e.notAfterWall !== undefined ? { NotAfter: eventTime(e.notAfterWall) } : {}),
    State: 'active',
  };
}

export function scheduledEventsDoc(inst: Instance): string {
  return JSON.stringify(inst.signals.scheduledEvents.map(scheduledEventView), null, 2);
}

export function rebalanceDoc(inst: Instance): string | undefined {
  const t = inst.signals.rebalanceNoticeWall;
  return t !== undefined ? JSON.stringify({ noticeTime: isoSeconds(t) }) : undefined;
}

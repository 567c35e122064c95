// The admin side of the instance's lifecycle signals in IMDS (spot
// interruption notice, Auto Scaling target lifecycle state, scheduled events,
// rebalance recommendation): what the Simulator handle's methods and the admin
// API call. The signals themselves and their IMDS documents are in signals.ts.
import type { Clock } from './clock.js';
import { Ec2Error } from './errors.js';
import type { SpotAction, TargetLifecycleState } from './model.js';
import * as ops from './ops/admin.js';
import { defaultDescription, rebalanceDoc, scheduledEventView, spotInstanceActionDoc } from './signals.js';
import type { MomentInput, ScheduledEventInput } from './simulator-api.js';
import type { Ec2State } from './state.js';

/** Wall-clock ms of a moment: its ISO `time`, or `inMs` (default `defaultMs`) from now. */
function wallOf(clock: Clock, m: MomentInput, defaultMs: number): number {
  return m.time !== undefined ? Date.parse(m.time) : clock.wall() + (m.inMs ?? defaultMs);
}

export function setSpotInterruption(s: Ec2State, clock: Clock, id: string, notice: (MomentInput & { readonly action?: SpotAction }) | null): { action: SpotAction; time: string } | null {
  // "a warning that is issued two minutes before Amazon EC2 stops or terminates your Spot Instance"
  const n = notice !== null ? { action: notice.action ?? 'terminate', timeWall: wallOf(clock, notice, 120_000) } : null;
  ops.setSpotInterruption(s, id, n, { action: 'admin:spot-interruption', caller: 'admin' });
  const doc = spotInstanceActionDoc(s.instance(id));
  return doc !== undefined ? (JSON.parse(doc) as { action: SpotAction; time: string }) : null;
}

export function setTargetLifecycleState(s: Ec2State, id: string, state: TargetLifecycleState | null): void {
  ops.setTargetLifecycleState(s, id, state, { action: 'admin:target-lifecycle-state', caller: 'admin' });
}

export function addScheduledEvent(s: Ec2State, clock: Clock, id: string, e: ScheduledEventInput): Record<string, string> {
  const notBefore = wallOf(clock, e, 0);
  const added = ops.addScheduledEvent(
    s,
    id,
    {
      code: e.code,
      description: e.description ?? defaultDescription(e.code),
      notBeforeWall: notBefore,
      notAfterWall: e.durationMs !== undefined ? notBefore + e.durationMs : undefined,
    },
    { action: 'admin:scheduled-event', caller: 'admin' },
  );
  return scheduledEventView(added);
}

export function clearScheduledEvents(s: Ec2State, id: string, eventId?: string): Record<string, string>[] {
  if (!ops.clearScheduledEvents(s, id, eventId, { action: 'admin:scheduled-event', caller: 'admin' }))
    throw new Ec2Error('InvalidInstanceEventID.NotFound', `The event ID '${eventId ?? ''}' does not exist for instance ${id}`);
  return s.instance(id).signals.scheduledEvents.map(scheduledEventView);
}

export function setRebalanceRecommendation(s: Ec2State, clock: Clock, id: string, notice: MomentInput | null): { noticeTime: string } | null {
  ops.setRebalanceRecommendation(s, id, notice !== null ? wallOf(clock, notice, 0) : null, { action: 'admin:rebalance-recommendation', caller: 'admin' });
  const doc = rebalanceDoc(s.instance(id));
  return doc !== undefined ? (JSON.parse(doc) as { noticeTime: string }) : null;
}

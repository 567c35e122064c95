// The instance's lifecycle signals in its metadata, read with the SDK's own
// metadata client (@aws-sdk/ec2-metadata-service) over IMDSv2, raised and
// cleared through the world file, the admin API and the programmatic handle.
// Each path follows AWS's page (AWS's own copies of these pages are in the
// archived awsdocs/amazon-ec2-user-guide repository, doc_source/):
//
// * spot/instance-action: "If your Spot Instance is marked to be stopped or
//   terminated by Amazon EC2, the instance-action item is present in your
//   instance metadata. Otherwise, it is not present."; example
//   {"action": "terminate", "time": "2017-09-18T08:22:00Z"}; "If Amazon EC2 is
//   not preparing to stop or terminate the instance, or if you terminated the
//   instance yourself, instance-action is not present in the instance
//   metadata and you receive an HTTP 404 error when you try to retrieve it."
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
//   Same page, spot/termination-time ("maintained for backward
//   compatibility"): "If your Spot Instance is marked for termination by
//   Amazon EC2, the termination-time item is present ... Otherwise, it is not
//   present", example 2015-01-05T18:02:00Z.
// * autoscaling/target-lifecycle-state: "Present when the instance
//   transitions to one of the target lifecycle states ... Possible values:
//   Detached | InService | Standby | Terminated | Warmed:Hibernated |
//   Warmed:Running | Warmed:Stopped | Warmed:Terminated" (instance metadata
//   categories), example output "InService":
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
//   https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
// * events/maintenance/scheduled: "If there are active maintenance events for
//   the instance, contains a JSON string with information about the events",
//   example [{"NotBefore": "21 Jan 2019 09:00:43 GMT", "Code": "system-reboot",
//   "Description": "scheduled reboot", "EventId": "instance-event-0d59937288b749b32",
//   "NotAfter": "21 Jan 2019 09:17:23 GMT", "State": "active"}]:
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
//   Without events: `[]` — AWS's page does not say; AWS's own poller
//   (aws/aws-node-termination-handler, pkg/ec2metadata/ec2metadata.go) treats
//   404 as "nothing" on the spot and rebalance paths but any non-2xx as an
//   error on this one, and decodes the body as a JSON list.
// * events/recommendations/rebalance: example {"noticeTime": "2020-10-27T08:22:00Z"};
//   "If the signal has not been emitted for the instance,
//   events/recommendations/rebalance is not present and you receive an HTTP
//   404 error when you try to retrieve it."
//   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/sim/clock.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { loadWorldFile, type World } from '../../src/sim/world.js';
import { NAT, NAT_WORLD, sim } from './helpers.js';

const SPOT = '/latest/meta-data/spot/instance-action';
const TERMINATION = '/latest/meta-data/spot/termination-time';
const ASG = '/latest/meta-data/autoscaling/target-lifecycle-state';
const SCHEDULED = '/latest/meta-data/events/maintenance/scheduled';
const REBALANCE = '/latest/meta-data/events/recommendations/rebalance';

/** The ManualClock's wall time at monotonic 0. */
const WALL0 = Date.UTC(2026, 0, 1);

/** nat-pair.yaml with nat-b's metadata showing every signal. */
function signalWorld(): World {
  const w = loadWorldFile(NAT_WORLD);
  const metadata: World['instances'][number]['metadata'] = {
    spot_instance_action: { action: 'stop' },
    autoscaling_target_lifecycle_state: 'Terminated',
    scheduled_events: [{ code: 'instance-retirement', time: '2026-02-01T10:00:00Z', duration_ms: 3_600_000 }],
    rebalance_recommendation: { in_ms: -30_000 },
  };
  return { ...w, instances: w.instances.map((i) => (i.id === NAT.natB ? { ...i, metadata } : i)) };
}

const events = (body: string | undefined): Record<string, string>[] => JSON.parse(body ?? 'null') as Record<string, string>[];

async function get(endpoint: string, path: string): Promise<{ status: number; body?: string }> {
  try {
    return { status: 200, body: await new MetadataService({ endpoint, retries: 0 }).request(path, {}) };
  } catch (e) {
    return { status: (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0 };
  }
}

async function admin(s: Simulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.adminEndpoint}/_sim/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('lifecycle signals in instance metadata: spot/instance-action, autoscaling/target-lifecycle-state, events/maintenance/scheduled, events/recommendations/rebalance', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let a: string;
  let b: string;
  before(async () => {
    s = await sim(signalWorld(), { clock });
    const byId = new Map((await s.instances()).map((i) => [i.instanceId, i.imdsEndpoint]));
    a = byId.get(NAT.natA)!;
    b = byId.get(NAT.natB)!;
  });
  beforeEach(() => s.reset());
  after(() => s.close());

  it('with no signal: spot/instance-action, autoscaling/target-lifecycle-state and events/recommendations/rebalance are 404; events/maintenance/scheduled is []', async () => {
    assert.equal((await get(a, SPOT)).status, 404);
    assert.equal((await get(a, ASG)).status, 404);
    assert.equal((await get(a, REBALANCE)).status, 404);
    const sched = await get(a, SCHEDULED);
    assert.equal(sched.status, 200);
    assert.deepEqual(JSON.parse(sched.body!), []);
    assert.equal((await get(a, '/latest/meta-data/spot/')).status, 404);
    assert.equal((await get(a, '/latest/meta-data/events/')).body, 'maintenance/');
    assert.doesNotMatch((await get(a, '/latest/meta-data/')).body!, /spot\/|autoscaling\//);
  });

  it('the world file raises them (instances[].metadata); times are offsets from the start or ISO times', async () => {
    assert.deepEqual(JSON.parse((await get(b, SPOT)).body!), { action: 'stop', time: '2026-01-01T00:02:00Z' }, 'two minutes ahead by default');
    assert.equal((await get(b, ASG)).body, 'Terminated');
    const [event, ...more] = events((await get(b, SCHEDULED)).body);
    assert.deepEqual(more, []);
    assert.match(event?.EventId ?? '', /^instance-event-[0-9a-f]{17}$/);
    assert.deepEqual(
      { ...event, EventId: 'x' },
      { NotBefore: '01 Feb 2026 10:00:00 GMT', Code: 'instance-retirement', Description: 'scheduled retirement', EventId: 'x', NotAfter: '01 Feb 2026 11:00:00 GMT', State: 'active' },
    );
    assert.deepEqual(JSON.parse((await get(b, REBALANCE)).body!), { noticeTime: '2025-12-31T23:59:30Z' });
    assert.match((await get(b, '/latest/meta-data/')).body!, /^autoscaling\/$/m);
    assert.match((await get(b, '/latest/meta-data/')).body!, /^spot\/$/m);
    assert.equal((await get(b, '/latest/meta-data/spot/')).body, 'instance-action');
    assert.equal((await get(b, '/latest/meta-data/events/')).body, 'maintenance/\nrecommendations/');
  });

  it('the admin API raises and clears a Spot interruption notice (default terminate, two minutes ahead)', async () => {
    clock.advance(1000);
    const r = await admin(s, 'POST', `instances/${NAT.natA}/spot-interruption`, {});
    assert.deepEqual(r, { status: 200, body: { instanceId: NAT.natA, action: 'terminate', time: new Date(WALL0 + clock.now() + 120_000).toISOString().replace('.000', '') } });
    assert.deepEqual(JSON.parse((await get(a, SPOT)).body!), { action: 'terminate', time: r.body.time });
    const hib = await admin(s, 'POST', `instances/${NAT.natA}/spot-interruption`, { action: 'hibernate', time: '2026-03-01T00:00:00Z' });
    assert.equal(hib.body.time, '2026-03-01T00:00:00Z');
    assert.deepEqual(JSON.parse((await get(a, SPOT)).body!), { action: 'hibernate', time: '2026-03-01T00:00:00Z' });
    // spot/termination-time: only when "marked for termination" (not for hibernate or stop).
    assert.equal((await get(a, TERMINATION)).status, 404);
    assert.equal((await get(a, '/latest/meta-data/spot/')).body, 'instance-action');
    await admin(s, 'POST', `instances/${NAT.natA}/spot-interruption`, { time: '2026-03-01T00:00:00Z' });
    assert.equal((await get(a, TERMINATION)).body, '2026-03-01T00:00:00Z');
    assert.equal((await get(a, '/latest/meta-data/spot/')).body, 'instance-action\ntermination-time');
    assert.deepEqual(await admin(s, 'DELETE', `instances/${NAT.natA}/spot-interruption`), { status: 200, body: { instanceId: NAT.natA, spotInstanceAction: null } });
    assert.equal((await get(a, SPOT)).status, 404);
    assert.equal((await get(a, TERMINATION)).status, 404);
    const bad = await admin(s, 'POST', `instances/${NAT.natA}/spot-interruption`, { action: 'reboot' });
    assert.equal(bad.status, 400);
  });

  it('the admin API sets and clears the Auto Scaling target lifecycle state; only the documented values are taken', async () => {
    for (const state of ['InService', 'Warmed:Stopped', 'Terminated']) {
      assert.equal((await admin(s, 'POST', `instances/${NAT.natA}/target-lifecycle-state`, { state })).status, 200);
      assert.equal((await get(a, ASG)).body, state);
    }
    assert.equal((await admin(s, 'POST', `instances/${NAT.natA}/target-lifecycle-state`, { state: 'Terminating:Wait' })).status, 400);
    await admin(s, 'DELETE', `instances/${NAT.natA}/target-lifecycle-state`);
    assert.equal((await get(a, ASG)).status, 404);
  });

  it('the admin API adds scheduled events (codes of the model\'s EventCode) and removes one or all', async () => {
    const first = await admin(s, 'POST', `instances/${NAT.natA}/scheduled-events`, { code: 'system-reboot', time: '2026-01-01T01:00:00Z', durationMs: 1_000_000 });
    const event = first.body.event as Record<string, string>;
    assert.deepEqual({ ...event, EventId: 'x' }, {
      NotBefore: '01 Jan 2026 01:00:00 GMT',
      Code: 'system-reboot',
      Description: 'scheduled reboot',
      EventId: 'x',
      NotAfter: '01 Jan 2026 01:16:40 GMT',
      State: 'active',
    });
    const second = await admin(s, 'POST', `instances/${NAT.natA}/scheduled-events`, { code: 'instance-stop', description: 'The instance is running on degraded hardware' });
    const listed = events((await get(a, SCHEDULED)).body);
    assert.deepEqual(listed.map((e) => [e.Code, e.Description]), [['system-reboot', 'scheduled reboot'], ['instance-stop', 'The instance is running on degraded hardware']]);
    assert.equal(listed[1]!.NotAfter, undefined);
    const removed = await admin(s, 'DELETE', `instances/${NAT.natA}/scheduled-events?eventId=${event.EventId}`);
    assert.deepEqual((removed.body.events as Record<string, string>[]).map((e) => e.EventId), [(second.body.event as Record<string, string>).EventId]);
    assert.equal((await admin(s, 'DELETE', `instances/${NAT.natA}/scheduled-events?eventId=instance-event-00000000000000000`)).status, 404);
    await admin(s, 'DELETE', `instances/${NAT.natA}/scheduled-events`);
    assert.deepEqual(JSON.parse((await get(a, SCHEDULED)).body!), []);
    assert.equal((await admin(s, 'POST', `instances/${NAT.natA}/scheduled-events`, { code: 'reboot' })).status, 400);
  });

  it('the admin API raises and clears a rebalance recommendation (notice time default now)', async () => {
    clock.advance(5000);
    const r = await admin(s, 'POST', `instances/${NAT.natA}/rebalance-recommendation`, {});
    assert.equal(r.body.noticeTime, new Date(WALL0 + clock.now()).toISOString().replace('.000', ''));
    assert.deepEqual(JSON.parse((await get(a, REBALANCE)).body!), { noticeTime: r.body.noticeTime });
    assert.equal((await get(a, '/latest/meta-data/events/recommendations/')).body, 'rebalance');
    await admin(s, 'DELETE', `instances/${NAT.natA}/rebalance-recommendation`);
    assert.equal((await get(a, REBALANCE)).status, 404);
  });

  it('the programmatic handle does the same; changes are in the mutation log; reset goes back to the world file', async () => {
    assert.deepEqual(s.setSpotInterruption(NAT.natA, { action: 'stop', inMs: 0 }), { action: 'stop', time: new Date(WALL0 + clock.now()).toISOString().replace('.000', '') });
    s.setTargetLifecycleState(NAT.natA, 'Standby');
    const e = s.addScheduledEvent(NAT.natA, { code: 'system-maintenance' });
    assert.equal(e.Description, 'scheduled maintenance');
    assert.deepEqual(s.setRebalanceRecommendation(NAT.natA, { time: '2026-01-01T00:00:00Z' }), { noticeTime: '2026-01-01T00:00:00Z' });
    assert.equal((await get(a, ASG)).body, 'Standby');
    const log = s.mutations({ kind: 'resource' }).filter((m) => m.kind === 'resource' && m.resourceId === NAT.natA).map((m) => m.action);
    assert.deepEqual(log, ['admin:spot-interruption', 'admin:target-lifecycle-state', 'admin:scheduled-event', 'admin:rebalance-recommendation']);
    assert.deepEqual(s.clearScheduledEvents(NAT.natA), []);
    assert.equal(s.setSpotInterruption(NAT.natA, null), null);
    await s.reset();
    assert.equal((await get(a, ASG)).status, 404);
    assert.equal((await get(b, ASG)).body, 'Terminated');
  });

  it('an unknown instance is 404 InvalidInstanceID.NotFound on every signal call', async () => {
    for (const [method, op, body] of [
      ['POST', 'spot-interruption', {}],
      ['POST', 'target-lifecycle-state', { state: 'InService' }],
      ['POST', 'scheduled-events', { code: 'system-reboot' }],
      ['DELETE', 'scheduled-events', undefined],
      ['POST', 'rebalance-recommendation', {}],
    ] as const) {
      const r = await admin(s, method, `instances/i-0000000000000dead/${op}`, body);
      assert.deepEqual([op, r.status, (r.body.error as { code: string }).code], [op, 404, 'InvalidInstanceID.NotFound']);
    }
  });
});

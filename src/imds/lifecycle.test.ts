// The lifecycle watcher against the simulator's instance metadata (IMDSv2,
// read with the SDK's MetadataService), whose paths follow AWS's pages:
//   SPOT  https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
//   ASG   https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
//         https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
//   SCHED https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
//   REBAL https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
// plus documents of the wrong shape and an endpoint where nothing listens.
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { realClock } from '../daemon/clock.js';
import { createLogger, silentLogger } from '../log/logger.js';
import { ManualClock } from '../sim/clock.js';
import type { Simulator } from '../sim/simulator.js';
import { NAT, NAT_WORLD, sim } from '../../test/sim/helpers.js';
import { LifecycleWatcher, parseEventTime, readLifecycle, type LifecycleKind, type LifecycleOptions, type MetadataReader } from './lifecycle.js';

const SPOT = '/latest/meta-data/spot/instance-action';
const ASG = '/latest/meta-data/autoscaling/target-lifecycle-state';
const SCHEDULED = '/latest/meta-data/events/maintenance/scheduled';
const REBALANCE = '/latest/meta-data/events/recommendations/rebalance';

const LEAD = 15 * 60_000;
const ALL: LifecycleOptions = { pollMs: 10, spotInterruption: true, targetLifecycle: true, scheduledEvents: true, scheduledLeadMs: LEAD, rebalance: true };
const NONE: LifecycleOptions = { ...ALL, spotInterruption: false, targetLifecycle: false, scheduledEvents: false, rebalance: false };

const client = (endpoint: string): MetadataService => new MetadataService({ endpoint, retries: 0, httpOptions: { timeout: 2000 } });

/** A reader that records the paths asked for and can be pointed elsewhere. */
class Recorder implements MetadataReader {
  readonly paths: string[] = [];
  constructor(public target: MetadataReader) {}
  request(path: string, options: { method?: string; headers?: Record<string, string> }): Promise<string> {
    this.paths.push(path);
    return this.target.request(path, options);
  }
}

/** http://127.0.0.1:<a port nothing listens on>. */
async function deadEndpoint(): Promise<string> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return `http://127.0.0.1:${port}`;
}

/** A JSON logger whose records the test can read. */
function capture(): { log: ReturnType<typeof createLogger>['log']; records: () => Record<string, unknown>[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const { log } = createLogger({ format: 'json', stream: out });
  return {
    log,
    records: () =>
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('readLifecycle against the simulator\'s instance metadata (IMDSv2)', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let md: MetadataService;
  let endpoint: string;
  const me = NAT.natA;
  before(async () => {
    s = await sim(NAT_WORLD, { clock });
    endpoint = (await s.instances()).find((i) => i.instanceId === me)!.imdsEndpoint;
    md = client(endpoint);
  });
  beforeEach(() => s.reset());
  after(() => s.close());
  const read = (opts: LifecycleOptions = ALL, r: MetadataReader = md): ReturnType<typeof readLifecycle> => readLifecycle(r, opts, clock.wall());

  it('with no signal raised nothing is active: spot/instance-action, target-lifecycle-state and rebalance are 404 ("not present ... HTTP 404", SPOT, REBAL), the scheduled list is empty', async () => {
    assert.deepEqual(await read(), { signals: [], problems: [], unread: [] });
  });

  it('a Spot interruption notice makes spot-interruption active with its time as due, for terminate, stop and hibernate alike (SPOT: "action": "hibernate, stop, or terminate")', async () => {
    const notice = s.setSpotInterruption(me, { inMs: 120_000 })!;
    assert.equal(notice.action, 'terminate');
    assert.deepEqual((await read()).signals, [{ kind: 'spot-interruption', detail: `Spot Instance interruption notice: terminate at ${notice.time}`, due: notice.time }]);
    for (const action of ['stop', 'hibernate'] as const) {
      s.setSpotInterruption(me, { action, time: '2026-01-01T00:02:00Z' });
      assert.deepEqual((await read()).signals.map((x) => [x.kind, x.due, x.detail.includes(action)]), [['spot-interruption', '2026-01-01T00:02:00Z', true]]);
    }
  });

  it('a cleared Spot notice is inactive again (404, SPOT)', async () => {
    s.setSpotInterruption(me, { inMs: 120_000 });
    assert.equal((await read()).signals.length, 1);
    s.setSpotInterruption(me, null);
    assert.deepEqual(await read(), { signals: [], problems: [], unread: [] });
  });

  it('target lifecycle state Terminated is active, InService is not, and so is none (404 outside an Auto Scaling group) (ASG)', async () => {
    s.setTargetLifecycleState(me, 'Terminated');
    assert.deepEqual((await read()).signals, [{ kind: 'target-lifecycle', detail: 'Auto Scaling target lifecycle state Terminated' }]);
    s.setTargetLifecycleState(me, 'Warmed:Stopped');
    assert.deepEqual((await read()).signals.map((x) => x.kind), ['target-lifecycle']);
    s.setTargetLifecycleState(me, 'InService');
    assert.deepEqual(await read(), { signals: [], problems: [], unread: [] });
    s.setTargetLifecycleState(me, null);
    assert.deepEqual(await read(), { signals: [], problems: [], unread: [] });
  });

  it('a scheduled instance-stop due within the lead time is active with NotBefore as due; one due beyond it is not (SCHED: NotBefore "21 Jan 2019 09:00:43 GMT")', async () => {
    const near = s.addScheduledEvent(me, { code: 'instance-stop', inMs: LEAD - 60_000 });
    const r = await read();
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.signals, [
      { kind: 'scheduled-event', detail: `scheduled event instance-stop ${near.EventId}: scheduled stop`, due: new Date(parseEventTime(near.NotBefore!)!).toISOString().replace('.000', '') },
    ]);
    s.clearScheduledEvents(me);
    s.addScheduledEvent(me, { code: 'instance-stop', inMs: LEAD + 60_000 });
    assert.deepEqual(await read(), { signals: [], problems: [], unread: [] });
    // Time passes: the same event comes within the lead time.
    clock.advance(120_000);
    assert.deepEqual((await read()).signals.map((x) => x.kind), ['scheduled-event']);
  });

  it('instance-retirement, instance-reboot and system-reboot count (the instance stops or reboots); system-maintenance does not (SCHED: "network maintenance or power maintenance", brief)', async () => {
    for (const code of ['instance-retirement', 'instance-reboot', 'system-reboot'] as const) {
      s.clearScheduledEvents(me);
      s.addScheduledEvent(me, { code, inMs: 60_000, durationMs: 3_600_000 });
      assert.deepEqual((await read()).signals.map((x) => x.detail.split(' ')[2]), [code], code);
    }
    s.clearScheduledEvents(me);
    s.addScheduledEvent(me, { code: 'system-maintenance', inMs: 0, durationMs: 3_600_000 });
    assert.deepEqual(await read(), { signals: [], problems: [], unread: [] });
  });

  it('a scheduled event whose NotBefore has passed stays active until its NotAfter; after NotAfter it no longer counts', async () => {
    s.addScheduledEvent(me, { code: 'system-reboot', inMs: -60_000, durationMs: 120_000 });
    assert.deepEqual((await read()).signals.map((x) => x.kind), ['scheduled-event']);
    clock.advance(61_000);
    assert.deepEqual((await read()).signals, []);
  });

  it('a rebalance recommendation is active only when switched on (REBAL: "noticeTime")', async () => {
    s.setRebalanceRecommendation(me, { time: '2025-12-31T23:59:30Z' });
    assert.deepEqual((await read()).signals, [{ kind: 'rebalance', detail: 'rebalance recommendation since 2025-12-31T23:59:30Z' }]);
    const off = new Recorder(md);
    assert.deepEqual(await read({ ...ALL, rebalance: false }, off), { signals: [], problems: [], unread: [] });
    assert.ok(!off.paths.includes(REBALANCE));
  });

  it('switched-off kinds are not read: with every signal raised, a poll asks only for the switched-on paths', async () => {
    s.setSpotInterruption(me, { inMs: 120_000 });
    s.setTargetLifecycleState(me, 'Terminated');
    s.addScheduledEvent(me, { code: 'instance-stop', inMs: 0 });
    s.setRebalanceRecommendation(me, { inMs: 0 });
    const none = new Recorder(md);
    assert.deepEqual(await read(NONE, none), { signals: [], problems: [], unread: [] });
    assert.deepEqual(none.paths, []);
    const cases: [keyof LifecycleOptions, LifecycleKind, string][] = [
      ['spotInterruption', 'spot-interruption', SPOT],
      ['targetLifecycle', 'target-lifecycle', ASG],
      ['scheduledEvents', 'scheduled-event', SCHEDULED],
      ['rebalance', 'rebalance', REBALANCE],
    ];
    for (const [option, kind, path] of cases) {
      const one = new Recorder(md);
      assert.deepEqual((await read({ ...NONE, [option]: true }, one)).signals.map((x) => x.kind), [kind]);
      assert.deepEqual(one.paths, [path]);
    }
    assert.deepEqual((await read()).signals.map((x) => x.kind), ['spot-interruption', 'target-lifecycle', 'scheduled-event', 'rebalance']);
  });

  it('metadata that does not answer (127.0.0.1, a port nothing listens on) raises nothing and does not throw: one problem, every kind unread', async () => {
    const r = await read(ALL, client(await deadEndpoint()));
    assert.deepEqual(r.signals, []);
    assert.deepEqual(r.unread, ['spot-interruption', 'target-lifecycle', 'scheduled-event', 'rebalance']);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, /ECONNREFUSED/);
    assert.ok([SPOT, ASG, SCHEDULED, REBALANCE].every((p) => r.problems[0]!.includes(p)));
  });

  it('an answer other than 200 or 404 (the simulator\'s IMDS error fault: 500) is a problem, not "absent"; so is no answer within the timeout (hang)', async () => {
    s.setSpotInterruption(me, { inMs: 120_000 });
    await s.setFaults({ imds: { mode: 'error', instances: [me] } });
    const r = await read();
    assert.deepEqual([r.signals, r.unread.length, r.problems.length], [[], 4, 1]);
    assert.match(r.problems[0]!, /status code 500/);
    await s.setFaults({ imds: { mode: 'hang', instances: [me] } });
    const slow = new MetadataService({ endpoint, retries: 0, httpOptions: { timeout: 200 } });
    const t0 = performance.now();
    const h = await read(ALL, slow);
    assert.ok(performance.now() - t0 < 5000);
    assert.deepEqual([h.signals, h.unread.length], [[], 4]);
    await s.setFaults({ imds: { mode: 'none' } });
  });
});

describe('readLifecycle with documents of the wrong shape', () => {
  const NOW = Date.UTC(2019, 0, 21, 9, 0, 0);
  /** A reader serving fixed bodies; a missing path is the SDK's 404 error. */
  const serving = (docs: Record<string, string | Error>): MetadataReader => ({
    request: (path) => {
      const d = docs[path];
      if (d === undefined) return Promise.reject(Object.assign(new Error('Error making request to the metadata service: Error: Request failed with status code 404'), { $metadata: { httpStatusCode: 404 } }));
      return d instanceof Error ? Promise.reject(d) : Promise.resolve(d);
    },
  });

  it('parses the scheduled events\' time format ("21 Jan 2019 09:00:43 GMT", SCHED) and refuses impossible dates', () => {
    assert.equal(parseEventTime('21 Jan 2019 09:00:43 GMT'), Date.UTC(2019, 0, 21, 9, 0, 43));
    assert.equal(parseEventTime('Mon, 21 Jan 2019 09:00:43 GMT'), Date.UTC(2019, 0, 21, 9, 0, 43));
    assert.equal(parseEventTime('01 Feb 2026 10:00:00 GMT'), Date.UTC(2026, 1, 1, 10));
    for (const bad of ['31 Feb 2019 09:00:43 GMT', '21 Jan 2019 25:00:43 GMT', '2019-01-21T09:00:43Z', '21 January 2019 09:00:43 GMT', ''])
      assert.equal(parseEventTime(bad), undefined, bad);
  });

  it('AWS\'s own example event (system-reboot, SCHED) due in 43 s is active', async () => {
    const example = JSON.stringify([
      { NotBefore: '21 Jan 2019 09:00:43 GMT', Code: 'system-reboot', Description: 'scheduled reboot', EventId: 'instance-event-0d59937288b749b32', NotAfter: '21 Jan 2019 09:17:23 GMT', State: 'active' },
    ]);
    const r = await readLifecycle(serving({ [SCHEDULED]: example }), ALL, NOW);
    assert.deepEqual(r, {
      signals: [{ kind: 'scheduled-event', detail: 'scheduled event system-reboot instance-event-0d59937288b749b32: scheduled reboot', due: '2019-01-21T09:00:43Z' }],
      problems: [],
      unread: [],
    });
  });

  it('completed or canceled events do not count', async () => {
    const ev = (extra: object): string => JSON.stringify([{ NotBefore: '21 Jan 2019 09:00:43 GMT', Code: 'instance-stop', EventId: 'instance-event-1', ...extra }]);
    for (const extra of [{ State: 'completed' }, { State: 'canceled' }, { State: 'active', Description: '[Completed] scheduled stop' }]) {
      assert.deepEqual((await readLifecycle(serving({ [SCHEDULED]: ev(extra) }), ALL, NOW)).signals, [], JSON.stringify(extra));
    }
  });

  it('a malformed document raises nothing: the kind is unread and the problem names the path', async () => {
    const docs: Record<string, string> = {
      [SPOT]: '<html>captive portal</html>',
      [ASG]: 'In Service\nrm -rf',
      [SCHEDULED]: JSON.stringify([{ NotBefore: '2019-01-21T09:00:43Z', Code: 'instance-stop' }]),
      [REBALANCE]: '{"noticeTime": 5}',
    };
    const r = await readLifecycle(serving(docs), ALL, NOW);
    assert.deepEqual(r.signals, []);
    assert.deepEqual(r.unread, ['spot-interruption', 'target-lifecycle', 'scheduled-event', 'rebalance']);
    assert.equal(r.problems.length, 4);
    for (const [i, path] of [SPOT, ASG, SCHEDULED, REBALANCE].entries()) assert.ok(r.problems[i]!.includes(path), r.problems[i]);
    for (const bad of ['{}', '{"action": "reboot", "time": "2017-09-18T08:22:00Z"}', '{"action": "terminate", "time": "soon"}', '', 'x'.repeat(70_000)]) {
      assert.deepEqual((await readLifecycle(serving({ [SPOT]: bad }), ALL, NOW)).unread, ['spot-interruption'], bad.slice(0, 60));
    }
    for (const bad of ['{}', '"x"', '[{"Code": "instance-stop", "NotBefore": "21 Jan 2019 09:00:43 GMT", "State": 3}]']) {
      assert.deepEqual((await readLifecycle(serving({ [SCHEDULED]: bad }), ALL, NOW)).unread, ['scheduled-event'], bad);
    }
  });

  it('only an error carrying HTTP status 404 is "absent": a failed token request whose message says 404 is a problem', async () => {
    const tokenFailure = new Error('Error fetching metadata token: Error: Failed to fetch metadata token with status code 404. [disableFetchToken] is now set to true.');
    const r = await readLifecycle(serving({ [SPOT]: tokenFailure }), { ...NONE, spotInterruption: true }, NOW);
    assert.deepEqual(r.unread, ['spot-interruption']);
    assert.equal(r.problems.length, 1);
    const unauthorized = Object.assign(new Error('Request failed with status code 401'), { $metadata: { httpStatusCode: 401 } });
    assert.deepEqual((await readLifecycle(serving({ [SPOT]: unauthorized }), ALL, NOW)).unread, ['spot-interruption']);
  });
});

describe('LifecycleWatcher', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let endpoint: string;
  const me = NAT.natA;
  before(async () => {
    s = await sim(NAT_WORLD, { clock });
    endpoint = (await s.instances()).find((i) => i.instanceId === me)!.imdsEndpoint;
  });
  beforeEach(() => s.reset());
  after(() => s.close());

  it('emits change and calls onSignal once when a kind becomes active, logs it once (warn, with kind/detail/due) and once when it clears (info)', async () => {
    const seen: LifecycleKind[] = [];
    const changes: string[][] = [];
    const logs = capture();
    const w = new LifecycleWatcher({ ...ALL, log: logs.log, metadata: client(endpoint), wallNow: () => clock.wall(), onSignal: (k) => seen.push(k) });
    w.on('change', (list) => changes.push(list.map((x) => x.kind)));
    await w.poll();
    assert.deepEqual([w.active(), changes, seen], [[], [], []]);
    const notice = s.setSpotInterruption(me, { inMs: 120_000 })!;
    for (let i = 0; i < 3; i++) await w.poll();
    assert.deepEqual(w.active(), [{ kind: 'spot-interruption', detail: `Spot Instance interruption notice: terminate at ${notice.time}`, due: notice.time }]);
    s.setRebalanceRecommendation(me, { inMs: 0 });
    await w.poll();
    await w.poll();
    s.setSpotInterruption(me, null);
    await w.poll();
    await w.poll();
    assert.deepEqual(seen, ['spot-interruption', 'rebalance']);
    assert.deepEqual(changes, [['spot-interruption'], ['spot-interruption', 'rebalance'], ['rebalance']]);
    assert.equal(w.lastError(), undefined);
    const recs = logs.records();
    const warns = recs.filter((r) => r.level === 40);
    assert.deepEqual(
      warns.map((r) => [r.kind, r.due]),
      [
        ['spot-interruption', notice.time],
        ['rebalance', undefined],
      ],
    );
    assert.ok(typeof warns[0]!.detail === 'string' && warns[0]!.detail.includes('terminate'));
    assert.deepEqual(recs.filter((r) => r.level === 30).map((r) => r.kind), ['spot-interruption']);
  });

  it('start() polls every pollMs until the signal fires; pollMs 0 does nothing', async () => {
    const md = new Recorder(client(endpoint));
    const off = new LifecycleWatcher({ ...ALL, pollMs: 0, log: silentLogger(), metadata: md });
    const ac = new AbortController();
    off.start(ac.signal);
    await off.stopped();
    assert.deepEqual(md.paths, []);
    s.setTargetLifecycleState(me, 'Terminated');
    const w = new LifecycleWatcher({ ...ALL, pollMs: 10, log: silentLogger(), clock: realClock, metadata: md, wallNow: () => clock.wall() });
    const [active] = (await Promise.all([once(w, 'change'), Promise.resolve(w.start(ac.signal))]))[0] as [readonly { kind: string }[]];
    assert.deepEqual(active.map((x) => x.kind), ['target-lifecycle']);
    const n = md.paths.length;
    while (md.paths.length < n + 8) await new Promise((ok) => setTimeout(ok, 5));
    ac.abort();
    await w.stopped();
    const final = md.paths.length;
    await new Promise((ok) => setTimeout(ok, 50));
    assert.equal(md.paths.length, final, 'no poll after the signal fired');
  });

  it('the default client follows AWS_EC2_METADATA_SERVICE_ENDPOINT, as identity.ts does', async () => {
    const saved = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = endpoint;
    try {
      s.setSpotInterruption(me, { action: 'stop', inMs: 120_000 });
      const w = new LifecycleWatcher({ ...ALL, log: silentLogger(), wallNow: () => clock.wall() });
      await w.poll();
      assert.deepEqual(w.active().map((x) => x.kind), ['spot-interruption']);
    } finally {
      if (saved === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
      else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = saved;
    }
  });

  it('metadata unreachable: keeps the last known set, sets lastError, warns once per distinct error, never throws; readable again clears lastError', async () => {
    const logs = capture();
    const live = client(endpoint);
    const md = new Recorder(live);
    let changes = 0;
    const w = new LifecycleWatcher({ ...ALL, log: logs.log, metadata: md, wallNow: () => clock.wall() });
    w.on('change', () => changes++);
    s.setSpotInterruption(me, { inMs: 120_000 });
    await w.poll();
    assert.equal(changes, 1);
    md.target = client(await deadEndpoint());
    s.setSpotInterruption(me, null); // not seen: metadata does not answer
    for (let i = 0; i < 4; i++) await w.poll();
    assert.deepEqual(w.active().map((x) => x.kind), ['spot-interruption']);
    assert.match(w.lastError() ?? '', /ECONNREFUSED/);
    assert.equal(changes, 1);
    const warns = (): Record<string, unknown>[] => logs.records().filter((r) => r.level === 40 && r.code === 'IMDS_LIFECYCLE');
    assert.equal(warns().length, 1, 'one warning for four failing polls');
    // A watcher that never read anything raises nothing.
    const blind = new LifecycleWatcher({ ...ALL, log: silentLogger(), metadata: client(await deadEndpoint()) });
    await blind.poll();
    assert.deepEqual(blind.active(), []);
    assert.notEqual(blind.lastError(), undefined);
    md.target = live;
    await w.poll();
    assert.deepEqual(w.active(), []);
    assert.equal(w.lastError(), undefined);
    assert.equal(changes, 2);
    assert.ok(logs.records().some((r) => r.level === 30 && /readable again/.test(String(r.msg))));
  });

  it('a malformed document keeps that kind as last read while the other kinds still update', async () => {
    const live = client(endpoint);
    let brokenSchedule = false;
    const md: MetadataReader = { request: (p, o) => (brokenSchedule && p === SCHEDULED ? Promise.resolve('not json') : live.request(p, o)) };
    const logs = capture();
    const w = new LifecycleWatcher({ ...ALL, log: logs.log, metadata: md, wallNow: () => clock.wall() });
    s.addScheduledEvent(me, { code: 'instance-stop', inMs: 60_000 });
    await w.poll();
    assert.deepEqual(w.active().map((x) => x.kind), ['scheduled-event']);
    brokenSchedule = true;
    s.setSpotInterruption(me, { inMs: 120_000 });
    await w.poll();
    await w.poll();
    assert.deepEqual(w.active().map((x) => x.kind), ['spot-interruption', 'scheduled-event']);
    assert.match(w.lastError() ?? '', /events\/maintenance\/scheduled is not a JSON list/);
    assert.equal(logs.records().filter((r) => r.code === 'IMDS_LIFECYCLE').length, 1);
  });

  it('a throwing onSignal or change listener does not break the poll', async () => {
    const w = new LifecycleWatcher({
      ...ALL,
      log: silentLogger(),
      metadata: client(endpoint),
      wallNow: () => clock.wall(),
      onSignal: () => {
        throw new Error('boom');
      },
    });
    w.on('change', () => {
      throw new Error('bang');
    });
    s.setRebalanceRecommendation(me, { inMs: 0 });
    await w.poll();
    assert.deepEqual(w.active().map((x) => x.kind), ['rebalance']);
  });
});

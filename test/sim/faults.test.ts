// Fault injection observed through the real SDK: AWS-style throttling with
// the SDK's own retries, forced throttling, injected 500/503s, outages
// (refused connections, hung requests), per-action latency, and counters.
import { CreateRouteCommand, DescribeInstancesCommand, DescribeRouteTablesCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/sim/clock.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { NAT, ec2, failure, sim, tryConnect } from './helpers.js';

describe('throttling and the SDK’s retries', () => {
  it('the SDK’s own retry logic rides out throttling once the bucket refills', async () => {
    const clock = new ManualClock();
    const s = await sim(undefined, { clock });
    const retrying = ec2(s, { maxAttempts: 5, accessKeyId: 'AKIDRETRY' });
    try {
      await s.setFaults({ throttle: { enabled: true, describe: { burst: 2, perSecond: 1 } } });
      await retrying.send(new DescribeRouteTablesCommand({}));
      await retrying.send(new DescribeRouteTablesCommand({}));
      const third = retrying.send(new DescribeRouteTablesCommand({}));
      const throttledCalls = (): number => s.counters().byAction.DescribeRouteTables?.errors.RequestLimitExceeded ?? 0;
      while (throttledCalls() === 0) await new Promise((r) => setTimeout(r, 5));
      clock.advance(1000);
      const r = await third;
      assert.ok((r.$metadata.attempts ?? 1) >= 2, 'the third call needed a retry');
      assert.equal(s.counters().byAction.DescribeRouteTables?.ok, 3);
      assert.ok(throttledCalls() >= 1);
    } finally {
      retrying.destroy();
      await s.close();
    }
  });
});

describe('faults', () => {
  let s: Simulator;
  let client: ReturnType<typeof ec2>;
  before(async () => {
    s = await sim();
    client = ec2(s);
  });
  beforeEach(() => s.reset());
  after(async () => {
    client.destroy();
    await s.close();
  });

  const describeTables = () => client.send(new DescribeRouteTablesCommand({}));

  it('with AWS token buckets on, a burst past the bucket is RequestLimitExceeded with HTTP 503', async () => {
    await s.setFaults({ throttle: { enabled: true, describe: { burst: 3, perSecond: 0.001 } } });
    for (let i = 0; i < 3; i++) await describeTables();
    const e = await failure(describeTables);
    assert.equal(e.name, 'RequestLimitExceeded');
    assert.equal(e.status, 503);
  });

  it('describe and mutating calls draw from separate buckets', async () => {
    await s.setFaults({ throttle: { enabled: true, describe: { burst: 1, perSecond: 0.001 }, mutate: { burst: 1, perSecond: 0.001 } } });
    await describeTables();
    await client.send(new CreateRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.1.1/32', InstanceId: NAT.natB }));
    assert.equal((await failure(describeTables)).name, 'RequestLimitExceeded');
    const m = await failure(() =>
      client.send(new CreateRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.1.2/32', InstanceId: NAT.natB })),
    );
    assert.equal(m.name, 'RequestLimitExceeded');
  });

  it('each action has its own bucket: an empty DescribeRouteTables bucket leaves DescribeVpcs alone', async () => {
    await s.setFaults({ throttle: { enabled: true, describe: { burst: 1, perSecond: 0.001 } } });
    await describeTables();
    assert.equal((await failure(describeTables)).name, 'RequestLimitExceeded');
    await client.send(new DescribeVpcsCommand({}));
  });

  it('forced throttling limited to one action throttles only that action', async () => {
    await s.setFaults({ throttle: { forced: true, forcedActions: ['CreateRoute'] } });
    await describeTables();
    const e = await failure(() =>
      client.send(new CreateRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.1.1/32', InstanceId: NAT.natB })),
    );
    assert.equal(e.name, 'RequestLimitExceeded');
    assert.deepEqual(s.mutations(), []);
  });

  it('an error rate of 1 with status 500 fails every call with InternalError', async () => {
    await s.setFaults({ errors: { rate: 1, status: 500 } });
    const e = await failure(describeTables);
    assert.equal(e.name, 'InternalError');
    assert.equal(e.status, 500);
  });

  it('an error rate limited to one action with status 503 fails only that action with Unavailable', async () => {
    await s.setFaults({ errors: { rate: 1, status: 503, actions: ['DescribeInstances'] } });
    await describeTables();
    const e = await failure(() => client.send(new DescribeInstancesCommand({})));
    assert.equal(e.name, 'Unavailable');
    assert.equal(e.status, 503);
  });

  it('a fractional error rate with a seed fails a repeatable share of calls', async () => {
    const run = async (): Promise<boolean[]> => {
      await s.setFaults({ errors: { rate: 0.5, status: 503, seed: 42 } });
      const out: boolean[] = [];
      for (let i = 0; i < 20; i++) out.push(await describeTables().then(() => true, () => false));
      return out;
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(first, second);
    assert.ok(first.includes(true) && first.includes(false));
  });

  it('a refuse outage refuses connections while the admin endpoint stays up, and clearing it restores service', async () => {
    await s.setFaults({ outage: { mode: 'refuse' } });
    const e = await failure(describeTables);
    assert.ok(e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET', `connection-level failure, got ${e.code ?? e.name}`);
    assert.equal(await tryConnect(s.ec2Endpoint), 'ECONNREFUSED');
    const health = await fetch(`${s.adminEndpoint}/_sim/health`);
    assert.equal(health.status, 200);
    await s.clearFaults();
    assert.ok((await describeTables()).RouteTables);
  });

  it('a refuse outage with forMs ends by itself', async () => {
    await s.setFaults({ outage: { mode: 'refuse', forMs: 100 } });
    await failure(describeTables);
    for (let i = 0; i < 100 && s.faults().outage.mode !== 'none'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.faults().outage.mode, 'none');
    assert.ok((await describeTables()).RouteTables);
  });

  it('a hang outage accepts requests and never answers them', async () => {
    await s.setFaults({ outage: { mode: 'hang' } });
    const e = await failure(() => client.send(new DescribeRouteTablesCommand({}), { abortSignal: AbortSignal.timeout(200) }));
    assert.match(e.name, /Abort|Timeout/);
    await s.clearFaults();
    assert.ok((await describeTables()).RouteTables);
  });

  it('latency for one action delays that action', async () => {
    await s.setFaults({ latencyMs: { DescribeRouteTables: 250 } });
    const t0 = performance.now();
    await describeTables();
    assert.ok(performance.now() - t0 >= 240);
  });

  it('counters count calls per action and per caller access key, with error codes', async () => {
    const other = ec2(s, { accessKeyId: 'AKIDOTHERCALLER' });
    try {
      await describeTables();
      await other.send(new DescribeRouteTablesCommand({}));
      await other.send(new DescribeInstancesCommand({}));
      await failure(() => other.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0000000000000dead'] })));
      const c = s.counters();
      assert.equal(c.total, 4);
      assert.deepEqual(c.byAction.DescribeRouteTables, { calls: 3, ok: 2, errors: { 'InvalidRouteTableID.NotFound': 1 } });
      assert.deepEqual(c.byCaller.AKIDSIMTEST, { calls: 1, byAction: { DescribeRouteTables: 1 } });
      assert.deepEqual(c.byCaller.AKIDOTHERCALLER, { calls: 3, byAction: { DescribeRouteTables: 2, DescribeInstances: 1 } });
    } finally {
      other.destroy();
    }
  });

  it('an unknown action is InvalidAction', async () => {
    const res = await fetch(s.ec2Endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeUnicorns&Version=2016-11-15',
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>InvalidAction<\/Code>/);
  });
});

describe('an outage that ends by itself', () => {
  it('reports a failure to listen again through onInternalError and keeps serving', { timeout: 10_000 }, async () => {
    const reported: unknown[] = [];
    let wake = (): void => undefined;
    const seen = new Promise<void>((r) => (wake = r));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const s = await sim(undefined, {
      onInternalError: (e) => {
        reported.push(e);
        wake();
      },
    });
    const client = ec2(s);
    // Take the EC2 port while the outage has it down, so listening again fails.
    const blocker = createServer();
    try {
      const [imds] = await s.instances();
      await s.setFaults({ outage: { mode: 'refuse', forMs: 50 } });
      const { hostname, port } = new URL(s.ec2Endpoint);
      await new Promise<void>((r) => blocker.listen(Number(port), hostname, r));
      await seen;
      await new Promise((r) => setImmediate(r));
      assert.equal(reported.length, 1);
      assert.equal((reported[0] as { code?: string }).code, 'EADDRINUSE');
      assert.deepEqual(unhandled, []);
      assert.equal(s.faults().outage.mode, 'none');
      assert.equal((await fetch(`${s.adminEndpoint}/_sim/health`)).status, 200);
      assert.equal((await fetch(`${imds!.imdsEndpoint}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })).status, 200);
      // Once the port is free again, clearing the faults brings EC2 back.
      await new Promise<void>((r) => blocker.close(() => r()));
      await s.clearFaults();
      assert.ok((await client.send(new DescribeRouteTablesCommand({}))).RouteTables);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      if (blocker.listening) await new Promise<void>((r) => blocker.close(() => r()));
      client.destroy();
      await s.close();
    }
  });
});

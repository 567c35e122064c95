import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROUTE_WRITES, SimClient, readStartLine } from './client.js';
import { startSimulator, type Simulator } from './simulator.js';

const node = (code: string): ReturnType<typeof spawn> => spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });

describe('readStartLine', () => {
  it('parses the first stdout line', async () => {
    const info = await readStartLine(node(`console.log(JSON.stringify({ adminEndpoint: 'http://x', instances: [] })); console.log('more')`));
    assert.equal(info.adminEndpoint, 'http://x');
  });

  it('fails with the stderr text when the child exits first', async () => {
    await assert.rejects(readStartLine(node(`console.error('no world'); process.exit(2)`)), /sim exited 2: no world/);
  });

  it('fails on a line that is not JSON, and after the timeout', async () => {
    await assert.rejects(readStartLine(node(`console.log('hello')`)), /first line is not JSON: hello/);
    const child = node(`console.error('slow'); setTimeout(() => {}, 10_000)`);
    await assert.rejects(readStartLine(child, { timeoutMs: 300 }), /did not start within 0.3 s: slow/);
    child.kill();
  });
});

describe('SimClient', () => {
  let sim: Simulator;
  let client: SimClient;
  before(async () => {
    sim = await startSimulator({ world: resolve(import.meta.dirname, '../../../examples/worlds/nat-pair.yaml') });
    client = new SimClient({ ec2Endpoint: sim.ec2Endpoint, adminEndpoint: sim.adminEndpoint, region: sim.region, accountId: sim.accountId, instances: await sim.instances() });
  });
  after(() => sim.close());

  it('reads tables, routes, the mutation log and counters', async () => {
    const [a] = client.info.instances;
    assert.ok(a !== undefined);
    assert.equal(client.instance(a.instanceId), a);
    const tables = await client.tables(a.vpcId);
    assert.ok(tables.length > 0 && tables.every((t) => t.vpcId === a.vpcId));
    const t = tables[0]!;
    assert.deepEqual(await client.route(t.routeTableId, t.routes[0]!.cidr), t.routes[0]);
    assert.equal(await client.route(t.routeTableId, '203.0.113.0/24'), undefined);
    await client.admin('POST', `instances/${a.instanceId}/stop`);
    const seq = await client.lastSeq();
    assert.ok(seq > 0);
    const log = await client.mutations('instance');
    assert.equal(log.lastSeq, seq);
    assert.ok(log.entries.some((m) => m.instanceId === a.instanceId && m.after.state !== 'running'));
    assert.deepEqual((await client.mutations('all', seq)).entries, []);
    const c = await client.counters();
    assert.equal(ROUTE_WRITES.reduce((n, x) => n + (c.byAction[x]?.calls ?? 0), 0), 0);
    await assert.rejects(client.admin('GET', 'nowhere'), /admin GET nowhere: 404/);
  });
});

// startSimulator's inputs and start-up failures.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { startSimulator } from '../../src/sim/index.js';

const tiny = (imdsPort?: number) => ({
  vpcs: [{ id: 'vpc-00000001', cidr: '10.0.0.0/16' }],
  subnets: [{ id: 'subnet-00000001', vpc: 'vpc-00000001', az: 'us-east-1a', cidr: '10.0.1.0/24' }],
  instances: [
    { id: 'i-00000001', subnet: 'subnet-00000001', ...(imdsPort !== undefined ? { imds_port: imdsPort } : {}), network_interfaces: [{ private_ip: '127.0.9.1' }] },
  ],
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const codeOf = (e: unknown): unknown => (e as { code?: unknown }).code;

describe('startSimulator', () => {
  it('accepts a world object and answers on the fixed IMDS port it names', async () => {
    const port = await freePort();
    const s = await startSimulator({ world: tiny(port) });
    try {
      const [i] = await s.instances();
      assert.equal(i?.imdsEndpoint, `http://127.0.0.1:${port}`);
      assert.equal(i?.state, 'running');
      const mains = s.routeTables().filter((t) => t.main);
      assert.equal(mains.length, 1, 'a VPC without a main table gets one');
    } finally {
      await s.close();
    }
  });

  it('accepts world YAML text', async () => {
    const s = await startSimulator({ world: { yaml: 'region: eu-central-1\nvpcs: [{ id: vpc-00000009, cidr: 10.9.0.0/16 }]\n' } });
    try {
      assert.equal(s.region, 'eu-central-1');
      assert.deepEqual(await s.instances(), []);
    } finally {
      await s.close();
    }
  });

  it('fails with SIM_WORLD for a bad world, listing each problem', async () => {
    await assert.rejects(
      startSimulator({ world: { yaml: 'vpcs: [{ id: vpc-00000001, cidr: nope }]\nsubnets: [{ id: subnet-00000001, vpc: vpc-00000002, az: us-east-1a, cidr: 10.0.0.0/24 }]\n' } }),
      (e: unknown) => codeOf(e) === 'SIM_WORLD' && (e as { problems: unknown[] }).problems.length === 2,
    );
  });

  it('refuses a non-loopback listen address with SIM_LISTEN', async () => {
    await assert.rejects(startSimulator({ world: tiny(), listen: '0.0.0.0:0' }), (e: unknown) => codeOf(e) === 'SIM_LISTEN');
  });

  for (const listen of ['127.evil.example:0', '127.0.0.1.nip.io:0', 'localhost:0', '10.0.0.1:0', '[::]:0']) {
    it(`refuses ${listen}: the host must be a loopback address literal`, async () => {
      await assert.rejects(startSimulator({ world: tiny(), listen }), (e: unknown) => codeOf(e) === 'SIM_LISTEN');
      await assert.rejects(startSimulator({ world: tiny(), adminListen: listen }), (e: unknown) => codeOf(e) === 'SIM_LISTEN');
    });
  }

  it('accepts any IPv4 literal in 127.0.0.0/8', async () => {
    const s = await startSimulator({ world: tiny(), listen: '127.0.0.2:0' });
    try {
      assert.match(s.ec2Endpoint, /^http:\/\/127\.0\.0\.2:\d+$/);
    } finally {
      await s.close();
    }
  });

  it('fails with EADDRINUSE when an instance’s fixed IMDS port is taken', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      await assert.rejects(startSimulator({ world: tiny(port) }), (e: unknown) => codeOf(e) === 'EADDRINUSE');
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

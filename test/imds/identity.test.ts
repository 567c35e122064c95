// Values from instance metadata are checked by shape and length before use: a
// fake IMDS on loopback (token PUT, then GETs) serves one bad value at a time.
import assert from 'node:assert/strict';
import { copyFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MetadataError, fetchIdentity } from '../../src/imds/identity.js';
import { ROOT, runCli } from '../helpers/cli.js';

const MAC = '0a:00:00:00:00:a1';
const BASE: Record<string, string> = {
  'instance-id': 'i-0a0000000000000a1',
  'placement/availability-zone': 'us-east-1a',
  'placement/region': 'us-east-1',
  'local-ipv4': '10.0.1.10',
  mac: MAC,
  'network/interfaces/macs/': `${MAC}/`,
  [`network/interfaces/macs/${MAC}/interface-id`]: 'eni-0a0000000000000a1',
  [`network/interfaces/macs/${MAC}/device-number`]: '0',
  [`network/interfaces/macs/${MAC}/local-ipv4s`]: '10.0.1.10\n10.0.1.11',
  [`network/interfaces/macs/${MAC}/vpc-id`]: 'vpc-0a000000000000001',
  [`network/interfaces/macs/${MAC}/subnet-id`]: 'subnet-0a000000000000a02',
};

let values: Record<string, string> = BASE;
let server: Server;
let endpoint = '';
const saved = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;

before(async () => {
  server = createServer((req, res) => {
    // The SDK joins the endpoint and the path with a slash of its own: `//latest/...`.
    const url = (req.url ?? '').replace(/^\/+/, '/');
    if (req.method === 'PUT' && url === '/latest/api/token') {
      res.writeHead(200, { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' });
      res.end('fake-token');
      return;
    }
    const v = url.startsWith('/latest/meta-data/') ? values[url.slice('/latest/meta-data/'.length)] : undefined;
    if (v === undefined || req.headers['x-aws-ec2-metadata-token'] !== 'fake-token') {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(v);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = endpoint;
});
after(async () => {
  if (saved === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = saved;
  await new Promise<void>((ok) => server.close(() => ok()));
});

async function refused(path: string, value: string): Promise<MetadataError> {
  values = { ...BASE, [path]: value };
  const t0 = performance.now();
  try {
    await fetchIdentity({ deadlineMs: 30_000 });
  } catch (e) {
    assert.ok(e instanceof MetadataError, String(e));
    assert.equal(e.code, 'IMDS_INVALID');
    // Not retried until the deadline: a bad value does not fix itself.
    assert.ok(performance.now() - t0 < 10_000);
    assert.ok(e.message.includes(`/latest/meta-data/${path}`), e.message);
    return e;
  } finally {
    values = BASE;
  }
  assert.fail(`${path}=${value.slice(0, 40)} was accepted`);
}

describe('identity from instance metadata is validated', () => {
  test('valid values are read', async () => {
    const id = await fetchIdentity({ deadlineMs: 5000 });
    assert.equal(id.instanceId, 'i-0a0000000000000a1');
    assert.deepEqual(id.interfaces, [{ mac: MAC, interfaceId: 'eni-0a0000000000000a1', deviceNumber: 0, ips: ['10.0.1.10', '10.0.1.11'] }]);
  });

  test('a 5 MB instance id is refused, the message showing a short escaped prefix', async () => {
    const e = await refused('instance-id', 'i-' + 'a'.repeat(5 * 1024 * 1024));
    assert.ok(e.message.length < 400, `message of ${e.message.length} characters`);
    assert.match(e.message, /"i-a{38}"… \(5242882 characters\)/);
  });

  test('control and non-ASCII characters are escaped in the message', async () => {
    const e = await refused('instance-id', 'i-0a00000\u001b[31m\u202e');
    assert.match(e.message, /"i-0a00000\\u001b\[31m\\u202e"/);
    assert.ok(!e.message.includes('\u001b') && !e.message.includes('\u202e'));
  });

  for (const [path, value] of [
    ['instance-id', 'i-0A0000000000000A1'],
    ['instance-id', 'i-123'],
    ['placement/availability-zone', 'us-east-1a; rm -rf /'],
    ['placement/region', 'us east 1'],
    ['local-ipv4', '10.0.1.300'],
    ['mac', 'zz:00:00:00:00:a1'],
    ['network/interfaces/macs/', `${MAC}/\n../../etc/`],
    [`network/interfaces/macs/${MAC}/interface-id`, 'eni-0a0000000000000a1x'],
    [`network/interfaces/macs/${MAC}/device-number`, '-1'],
    [`network/interfaces/macs/${MAC}/local-ipv4s`, '10.0.1.10\nnot-an-ip'],
    [`network/interfaces/macs/${MAC}/vpc-id`, 'vpc-0a00000000000000'],
    [`network/interfaces/macs/${MAC}/subnet-id`, 'subnet-<script>'],
  ] as const)
    test(`${path} = ${JSON.stringify(value)} is refused`, async () => {
      await refused(path, value);
    });

  test('the CLI reports it as a start-up error naming the path', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'awsn-imds-'));
    try {
      const file = join(tmp, 'c.yaml');
      copyFileSync(join(ROOT, 'examples', 'compat-minimal.yaml'), file);
      chmodSync(file, 0o600);
      values = { ...BASE, 'instance-id': 'i-' + 'x'.repeat(100_000) };
      const r = await runCli(['run', '-f', file, '-noop', '-startup-timeout=20', '-log-format=json'], {
        env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint },
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /awsnycast: instance metadata \/latest\/meta-data\/instance-id is not i- followed by/);
      // The bad value is not logged whole anywhere.
      assert.ok(r.stdout.length + r.stderr.length < 20_000, `${r.stdout.length + r.stderr.length} characters of output`);
    } finally {
      values = BASE;
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

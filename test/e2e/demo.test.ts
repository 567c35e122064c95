// The README's first line: the demo runs a failover and a reclaim on the
// simulator, exits 0 by itself, and leaves no process behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './harness.js';

test('the demo shows a takeover, a reclaim and a gapless planned drain, and cleans up after itself', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGINT'), 90_000);
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  clearTimeout(timer);
  assert.equal(code, 0, out);
  assert.match(out, /NAT B took over rtb-0a0000000000000a1 \d+\.\d+ s after NAT A's service stopped/);
  assert.match(out, /NAT A reclaimed rtb-0a0000000000000a1/);
  assert.match(out, /NAT A handed rtb-0a0000000000000a1 to NAT B \d+\.\d+ s after the drain with ReplaceRoute: the route was never missing \(gap 0 ms\)/);
  assert.match(out, /NAT A is back in service and owns rtb-0a0000000000000a1 again/);
  assert.match(out, /every process it started has exited/);
  // Its simulator is gone: the endpoint it printed no longer answers.
  const ec2 = /EC2 endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  assert.ok(ec2 !== undefined, 'the demo names its simulator endpoint');
  await assert.rejects(fetch(`${ec2}/_sim/health`));
});

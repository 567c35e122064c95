// A remote pool with real probes against loopback addresses: checks decide
// per IP, and stopping leaves no sockets, processes or timers behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { CheckSpec } from '../../src/config/index.js';
import { RemotePool } from '../../src/health/remote-pool.js';
import type { Closable } from './helpers.js';
import { listen } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Active handles by kind, e.g. { TCPSocketWrap: 2, Timeout: 1 }. */
function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

async function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(10);
  }
}

function template(probe: CheckSpec['probe']): CheckSpec {
  return { name: 'owner', remote: true, type: probe.kind, rise: 2, fall: 2, every: 0.1, timeout: 0.1, hookTimeout: 5, probe };
}

describe('RemotePool with real probes', () => {
  const servers: Closable[] = [];
  let port = 0;
  before(async () => {
    // The same port on two loopback addresses; 127.0.0.4 has no listener.
    const a = await listen(net.createServer((s) => s.resume()), '127.0.0.2');
    port = a.port;
    const b = await listen(net.createServer((s) => s.resume()), '127.0.0.3', port);
    servers.push(a, b);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('tcp checks decide per destination and stopping leaks nothing', async () => {
    const baseline = resources();
    const pool = new RemotePool(template({ kind: 'tcp', port }), { ownIps: ['127.0.0.1'], hooks: false, maxJitterMs: 20 });
    pool.setDestinations(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']);
    assert.deepEqual(pool.destinations().sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    await waitFor(() => pool.snapshot().every((s) => s.decided));
    assert.equal(pool.get('127.0.0.2')?.healthy, true);
    assert.equal(pool.get('127.0.0.3')?.healthy, true);
    assert.equal(pool.get('127.0.0.4')?.healthy, false);
    assert.equal(pool.get('127.0.0.4')?.snapshot().last?.code, 'HC_REFUSED');

    pool.setDestinations(['127.0.0.4']);
    pool.stop();
    await pool.settled();
    await sleep(20);
    const now = resources();
    for (const kind of ['TCPSocketWrap', 'Timeout', 'ProcessWrap']) assert.ok((now[kind] ?? 0) <= (baseline[kind] ?? 0), `${kind}: ${JSON.stringify(now)} vs ${JSON.stringify(baseline)}`);
  });

  test('ping checks stop their processes when the pool stops', async () => {
    const baseline = resources();
    const ac = new AbortController();
    const pool = new RemotePool(template({ kind: 'ping' }), { ownIps: [], hooks: false, signal: ac.signal, maxJitterMs: 0 });
    pool.setDestinations(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    await waitFor(() => pool.snapshot().every((s) => s.running));
    ac.abort();
    await pool.settled();
    await sleep(20);
    const now = resources();
    for (const kind of ['ProcessWrap', 'PipeWrap', 'Timeout']) assert.ok((now[kind] ?? 0) <= (baseline[kind] ?? 0), `${kind}: ${JSON.stringify(now)} vs ${JSON.stringify(baseline)}`);
  });
});

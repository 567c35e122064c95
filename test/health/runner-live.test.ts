// A check with a real tcp probe follows a server that goes away and comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { HealthCheck } from '../../src/health/runner.js';
import type { ChangeEvent } from '../../src/health/runner.js';
import { listen, spec } from './helpers.js';

function nextTransition(check: HealthCheck): Promise<ChangeEvent> {
  return new Promise((resolve) => check.once('transition', resolve));
}

test('a tcp check becomes healthy, falls when the server goes away, and rises when it returns', async () => {
  const first = await listen(net.createServer((s) => s.end('+OK\n')));
  const port = first.port;
  const check = new HealthCheck(spec({ kind: 'tcp', port, expect: '+OK' }, { every: 0.1, timeout: 0.1, rise: 2, fall: 2 }), { hooks: false, maxJitterMs: 0 });
  const ac = new AbortController();
  try {
    const up = nextTransition(check);
    check.start(ac.signal);
    assert.equal((await up).to, 'healthy');

    const down = nextTransition(check);
    await first.close();
    const d = await down;
    assert.equal(d.to, 'unhealthy');
    assert.equal(d.result.code, 'HC_REFUSED');

    // The same port again, now a server that accepts and never answers: still unhealthy, by timeout.
    const silent = await listen(net.createServer(() => undefined), '127.0.0.1', port);
    await new Promise<void>((resolve) => {
      const onResult = (): void => {
        if (check.snapshot().last?.code === 'HC_TIMEOUT') {
          check.off('result', onResult);
          resolve();
        }
      };
      check.on('result', onResult);
    });
    assert.equal(check.healthy, false);
    assert.equal(check.snapshot().last?.detail, 'timeout after 100 ms');
    await silent.close();

    const back = await listen(net.createServer((s) => s.end('+OK\n')), '127.0.0.1', port);
    const again = await nextTransition(check);
    assert.equal(again.to, 'healthy');
    await back.close();
  } finally {
    ac.abort();
    await check.settled();
  }
});

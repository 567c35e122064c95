import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger, textLine } from './logger.js';

test('a record reads as TIME LEVEL message key=value', () => {
  assert.equal(
    textLine({ level: 30, time: 0, msg: 'created route', routeTable: 'rtb-1', cidr: '0.0.0.0/0', detail: 'a b' }),
    '1970-01-01T00:00:00.000Z INFO  created route routeTable=rtb-1 cidr=0.0.0.0/0 detail="a b"',
  );
});

test('json format writes one JSON object per line, carrying child fields', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const h = createLogger({ format: 'json', stream: out });
  h.log.child({ routeTable: 'rtb-1', cidr: '10.0.0.1/32' }).info({ action: 'create' }, 'created route');
  h.log.debug('hidden without -debug');
  h.close();
  await new Promise((r) => setImmediate(r));
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 1);
  assert.deepEqual([lines[0]!.routeTable, lines[0]!.cidr, lines[0]!.action, lines[0]!.msg], ['rtb-1', '10.0.0.1/32', 'create', 'created route']);
});

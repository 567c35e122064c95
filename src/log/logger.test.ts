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

test('a newline in a message or field never starts a new text line', () => {
  const line = textLine({ level: 30, time: 0, msg: 'hook said\n1970-01-01T00:00:00.000Z ERROR forged\r', stderr: 'a\nb', 'k\ney': 'v', list: ['x\ny'], sep: 'p\u2028q' });
  assert.equal(line.split(/[\n\r\u2028\u2029\u0085]/).length, 1, line);
  assert.match(line, /hook said\\n1970-01-01T00:00:00\.000Z ERROR forged\\r /);
  assert.match(line, / stderr="a\\nb"/);
});

test('text output keeps an attacker-controlled newline on one line (syslog lines are the same textLine)', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const h = createLogger({ format: 'text', stream: out });
  h.log.child({ check: 'x\ny' }).warn({ stderr: 'line1\nline2' }, 'hook failed:\nINFO  forged line');
  h.close();
  await new Promise((r) => setImmediate(r));
  const lines = text.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, text);
  assert.match(lines[0]!, /WARN {2}hook failed:\\nINFO {2}forged line/);
});

// The notifier's messages and their order, with a recording sink and a fake
// clock; systemd-notify itself (SystemdNotify) with a stand-in program that
// records its arguments, a real process per message. The whole path through
// the real systemd-notify to a unix datagram socket is test/e2e/notify.test.ts.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import type { PassResult } from '../daemon/reconciler.js';
import type { RouteState } from '../daemon/view.js';
import { Ec2Error, Ec2Outcome } from '../ec2/errors.js';
import { createLogger } from '../log/logger.js';
import { Notifier, passStatus, statusText } from './notifier.js';
import { SystemdNotify, findSystemdNotify, takeNotifyEnv, type NotifySink } from './sd-notify.js';

const dir = mkdtempSync(join(tmpdir(), 'awsn-notify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

class Recorder implements NotifySink {
  readonly sent: string[][] = [];
  send(fields: readonly string[]): void {
    this.sent.push([...fields]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** What was sent since the last call, each message as one string. */
  take(): string[] {
    return this.sent.splice(0).map((m) => m.join(' | '));
  }
}

const pass = (over: Partial<PassResult> = {}): PassResult => ({ ok: true, outcomes: [], plan: { actions: [], problems: [], remoteTargets: {} }, startedAt: '2026-11-30T14:00:01.234Z', durationMs: 61, ...over });

function setup(watchdogMs?: number) {
  const sink = new Recorder();
  let t = 1000;
  const n = new Notifier({
    sink,
    ...(watchdogMs !== undefined ? { watchdogMs } : {}),
    describe: (r, failures) => `pass ${r.durationMs}${failures > 0 ? ` failing ${failures}` : ''}`,
    now: () => t,
    monotonicUsec: () => 123456789n,
    manualTicks: true,
  });
  const advance = (ms: number): void => {
    t += ms;
  };
  return { sink, n, advance };
}

describe('the environment systemd gives', () => {
  test('NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are read and taken out of the environment', () => {
    const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '90000000', WATCHDOG_PID: '42', PATH: '/usr/bin' };
    assert.deepEqual(takeNotifyEnv(env, 42), { socket: '/run/systemd/notify', watchdogMs: 90_000 });
    assert.deepEqual(env, { PATH: '/usr/bin' });
  });

  test('no NOTIFY_SOCKET: nothing (the watchdog variables are still removed)', () => {
    const env: NodeJS.ProcessEnv = { WATCHDOG_USEC: '1000000' };
    assert.equal(takeNotifyEnv(env, 1), undefined);
    assert.deepEqual(env, {});
    assert.equal(takeNotifyEnv({ NOTIFY_SOCKET: '' }, 1), undefined);
  });

  test('the watchdog is off when WATCHDOG_PID names another process or WATCHDOG_USEC is not a number', () => {
    assert.deepEqual(takeNotifyEnv({ NOTIFY_SOCKET: '@n', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '7' }, 8), { socket: '@n', watchdogIgnored: 'WATCHDOG_PID=7 is not this process (8)' });
    assert.match(takeNotifyEnv({ NOTIFY_SOCKET: '@n', WATCHDOG_USEC: '1e6' }, 8)?.watchdogIgnored ?? '', /not a positive number/);
    assert.match(takeNotifyEnv({ NOTIFY_SOCKET: '@n', WATCHDOG_USEC: '0' }, 8)?.watchdogIgnored ?? '', /not a positive number/);
    assert.deepEqual(takeNotifyEnv({ NOTIFY_SOCKET: '@n' }, 8), { socket: '@n' });
  });

  test('systemd-notify is looked for at fixed paths and must pass the trust rule', () => {
    assert.match((findSystemdNotify([join(dir, 'none')]) as { problem: string }).problem, /not installed/);
    const open = join(dir, 'open-notify');
    writeFileSync(open, '#!/bin/sh\n');
    chmodSync(open, 0o777);
    assert.match((findSystemdNotify([open]) as { problem: string }).problem, /no trusted systemd-notify .*writable/);
  });
});

describe('status texts', () => {
  const route = (ours: boolean): RouteState => ({ ours }) as unknown as RouteState;

  test('a pass that went through: routes, ours, changes, drained, when and how long', () => {
    assert.equal(passStatus(pass(), [route(true), route(false)], false, 0), 'ok: 2 routes, 1 ours; last pass 14:00:01Z, 61 ms');
    const changed = pass({ outcomes: [{ ok: true, action: {} as never }] });
    assert.equal(passStatus(changed, [route(true)], true, 0), 'ok: 1 route, 1 ours, 1 changed, drained; last pass 14:00:01Z, 61 ms');
  });

  test('a failed pass says why, and how many in a row', () => {
    assert.equal(passStatus(pass({ ok: false, plan: undefined, error: 'EC2 did not answer' }), [], false, 3), 'failing (3 passes in a row): EC2 did not answer; last pass 14:00:01Z, 61 ms');
    const err = new Ec2Error(Ec2Outcome.PermissionDenied, 'UnauthorizedOperation', 'not allowed', 'ReplaceRoute');
    const r = pass({ ok: false, outcomes: [{ ok: false, error: err, action: { action: 'replace' } as never }] });
    assert.equal(passStatus(r, [route(false)], false, 1), 'failing: replace route failed: not allowed; 1 route, 0 ours; last pass 14:00:01Z, 61 ms');
    const problem = pass({ ok: false, plan: { actions: [], problems: [{ code: 'PLAN_NO_TABLES', tableName: 't', message: 'finder of t matched no table' }], remoteTargets: {} } });
    assert.equal(passStatus(problem, [], false, 0), 'problem: finder of t matched no table; 0 routes, 0 ours; last pass 14:00:01Z, 61 ms');
  });

  test('one line, at most 300 characters', () => {
    assert.equal(statusText('a\n  b\r\nc'), 'a b c');
    assert.equal(statusText('x'.repeat(400)).length, 300);
  });
});

describe('the notifier', () => {
  test('start-up: STATUS= at once, nothing else until the first pass ends, then READY=1 with its status (no ping before it)', () => {
    const { sink, n } = setup(4000);
    n.status('starting: reading metadata');
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'step' });
    n.tick();
    assert.deepEqual(sink.take(), ['STATUS=starting: reading metadata']);
    n.beat({ kind: 'passed', result: pass({ ok: false, error: 'EC2 down', outcomes: [] }) });
    assert.deepEqual(sink.take(), ['READY=1 | STATUS=pass 61 failing 1'], 'ready after a failed first pass too');
  });

  test('watchdog: a ping per step of the loop, at most one per gap; while idle every quarter interval until the wait overruns', () => {
    const { sink, n, advance } = setup(4000); // gap: 500 ms
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'passed', result: pass() });
    sink.take();
    advance(600);
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'step' });
    n.beat({ kind: 'step' });
    assert.deepEqual(sink.take(), ['WATCHDOG=1'], 'one ping for the pass start; the steps within the gap wait');
    advance(500);
    n.tick();
    assert.deepEqual(sink.take(), ['WATCHDOG=1'], 'the waiting ping goes with the next tick');
    n.tick();
    assert.deepEqual(sink.take(), [], 'a stuck pass: no progress, no ping');
    advance(3000);
    n.tick();
    assert.deepEqual(sink.take(), [], 'still none');
    n.beat({ kind: 'passed', result: pass() });
    assert.deepEqual(sink.take(), ['WATCHDOG=1 | STATUS=pass 61']);
    n.beat({ kind: 'idle', ms: 3000 });
    const pings: number[] = [];
    for (let ms = 0; ms <= 6000; ms += 500) {
      advance(500);
      n.tick();
      if (sink.take().includes('WATCHDOG=1')) pings.push(ms);
    }
    // Every 1000 ms (a quarter of 4000) while waiting, up to 2000 ms past the wait's end (3000), then none.
    assert.deepEqual(pings, [500, 1500, 2500, 3500, 4500]);
  });

  test('no WATCHDOG_USEC: no pings at all, only READY and STATUS', () => {
    const { sink, n, advance } = setup();
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'passed', result: pass() });
    n.beat({ kind: 'idle', ms: 5000 });
    advance(2000);
    n.tick();
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'step' });
    n.beat({ kind: 'passed', result: pass({ durationMs: 7 }) });
    assert.deepEqual(sink.take(), ['READY=1 | STATUS=pass 61', 'STATUS=pass 7']);
  });

  test('reload: RELOADING=1 with MONOTONIC_USEC at once; READY=1 after the first pass that started since; a refused config: READY=1 at once and a note', () => {
    const { sink, n, advance } = setup();
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'passed', result: pass() });
    sink.take();
    n.beat({ kind: 'pass' }); // a pass already running when SIGHUP comes
    n.reloading();
    n.reloaded();
    assert.deepEqual(sink.take(), ['RELOADING=1 | MONOTONIC_USEC=123456789 | STATUS=reloading the config']);
    advance(2000);
    n.beat({ kind: 'passed', result: pass({ durationMs: 1 }) });
    n.beat({ kind: 'pass' });
    advance(2000);
    n.beat({ kind: 'passed', result: pass({ durationMs: 2 }) });
    assert.deepEqual(sink.take(), ['STATUS=pass 1', 'READY=1 | STATUS=pass 2']);

    n.reloading();
    n.reloadRefused('poll_time: must be > 0');
    assert.deepEqual(sink.take(), [
      'RELOADING=1 | MONOTONIC_USEC=123456789 | STATUS=reloading the config',
      'READY=1 | STATUS=reload refused, running on the previous config: poll_time: must be > 0',
    ]);
    n.beat({ kind: 'pass' });
    advance(2000);
    n.beat({ kind: 'passed', result: pass({ durationMs: 3 }) });
    assert.deepEqual(sink.take(), ['STATUS=pass 3; last reload refused: poll_time: must be > 0'], 'no READY=1: that reload is over');
    n.reloading();
    n.reloaded();
    n.beat({ kind: 'pass' });
    advance(2000);
    n.beat({ kind: 'passed', result: pass({ durationMs: 4 }) });
    assert.deepEqual(sink.take().slice(1), ['READY=1 | STATUS=pass 4'], 'a good reload clears the note');
  });

  test('a SIGHUP before the first pass sends nothing: READY=1 after that pass covers it', () => {
    const { sink, n } = setup();
    n.reloading();
    n.reloadRefused('bad');
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'passed', result: pass() });
    assert.deepEqual(sink.take(), ['READY=1 | STATUS=pass 61; last reload refused: bad']);
  });

  test('STOPPING=1, and nothing after it', async () => {
    const { sink, n, advance } = setup(2000);
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'passed', result: pass() });
    sink.take();
    n.stopping();
    n.beat({ kind: 'pass' });
    n.beat({ kind: 'idle', ms: 10 });
    advance(5000);
    n.tick();
    n.reloading();
    n.status('x');
    await n.close(100);
    assert.deepEqual(sink.take(), ['STOPPING=1 | STATUS=stopping; routes stay as they are']);
  });
});

describe('sending with systemd-notify (a stand-in that records its arguments)', () => {
  /** A program that appends its arguments (one line) to `out`, after `sleep` seconds, and exits with `code`. */
  const standIn = (name: string, sleep: number, code = 0): { program: string; out: string } => {
    const out = join(dir, `${name}.out`);
    const program = join(dir, name);
    writeFileSync(program, `#!/bin/sh\nsleep ${sleep}\necho "$NOTIFY_SOCKET $*" >> ${out}\nexit ${code}\n`);
    chmodSync(program, 0o755);
    return { program, out };
  };
  const quiet = () => createLogger({ format: 'json', stream: new PassThrough() }).log;

  test('one process per message, in order, with only NOTIFY_SOCKET; plain messages that wait are merged', async () => {
    const { program, out } = standIn('order', 0.2);
    const s = new SystemdNotify({ socket: '@sock', program, log: quiet() });
    s.send(['READY=1', 'STATUS=a']);
    s.send(['WATCHDOG=1']);
    s.send(['STATUS=b']);
    s.send(['WATCHDOG=1', 'STATUS=c']);
    s.send(['RELOADING=1', 'MONOTONIC_USEC=5']);
    s.send(['WATCHDOG=1']);
    s.send(['STOPPING=1']);
    await s.close(10_000);
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), [
      '@sock READY=1 STATUS=a',
      '@sock WATCHDOG=1 STATUS=c',
      '@sock RELOADING=1 MONOTONIC_USEC=5',
      '@sock WATCHDOG=1',
      '@sock STOPPING=1',
    ]);
  });

  test('a failure is logged once until a message goes through again; close() gives up after its time', async () => {
    const { program } = standIn('fail', 0, 1);
    const logs = new PassThrough();
    let text = '';
    logs.on('data', (d: Buffer) => (text += d.toString()));
    const s = new SystemdNotify({ socket: '/nowhere', program, log: createLogger({ format: 'json', stream: logs }).log });
    for (let i = 0; i < 3; i++) s.send([`READY=1`]);
    await s.close(10_000);
    assert.equal(text.match(/systemd notification not sent/g)?.length, 1, text);
    assert.match(text, /NOTIFY_FAILED/);

    const slow = standIn('slow', 5);
    const t0 = Date.now();
    const s2 = new SystemdNotify({ socket: '/nowhere', program: slow.program, log: quiet() });
    s2.send(['STOPPING=1']);
    await s2.close(300);
    assert.ok(Date.now() - t0 < 2000, 'close waited at most its time');
  });
});

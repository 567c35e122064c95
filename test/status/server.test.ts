// The status listeners against local abuse, with real sockets on loopback and
// a stub daemon: a connection cap and idle timeout (20,000 idle connections
// once used up the daemon's file descriptors), the Host check on the TCP
// endpoint (DNS rebinding), and the unix socket's mode and single-instance rule.
import assert from 'node:assert/strict';
import fs, { lstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { request } from 'node:http';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { Logger } from '../../src/log/logger.js';
import { Metrics } from '../../src/status/metrics.js';
import { StatusSocketInUse, hostAllowed, startStatusServer, type StatusServer, type StatusServerOptions } from '../../src/status/server.js';

const tmp = mkdtempSync(join(tmpdir(), 'awsn-status-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const open: StatusServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const daemon = { lastPass: undefined, currentConfig: { pollTime: 10 }, drainState: () => undefined } as unknown as Daemon;
const metrics = new Metrics();

async function start(o: Partial<StatusServerOptions>): Promise<StatusServer> {
  const s = await startStatusServer({ daemon, metrics, log: quiet, version: 'test', noop: true, ...o });
  open.push(s);
  return s;
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

function get(to: { port: number } | { socketPath: string }, path: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...('port' in to ? { host: '127.0.0.1', port: to.port } : { socketPath: to.socketPath }), path, agent: false, headers: host !== undefined ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('no answer in 5 s')));
    req.end();
  });
}

/** Opens a raw TCP connection and resolves when it is connected; `closed` resolves with how long it lasted. */
function idle(port: number): Promise<{ s: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    sockets.push(s);
    const t0 = performance.now();
    // Infinity when still open after 6 s (so a missing timeout fails the test instead of hanging it).
    const closed = new Promise<number>((ok) => {
      s.once('close', () => ok(performance.now() - t0));
      setTimeout(() => ok(Infinity), 6000).unref();
    });
    s.on('error', () => undefined);
    s.once('connect', () => resolve({ s, closed }));
    s.once('error', reject);
  });
}

describe('TCP endpoint limits', () => {
  test('connections beyond the cap are closed at once; the cap does not stop service once idle ones time out', async () => {
    const port = await freePort();
    await start({ listen: { host: '127.0.0.1', port }, limits: { maxConnections: 8, idleMs: 1500 } });
    const conns = await Promise.all(Array.from({ length: 40 }, () => idle(port)));
    // The 32 beyond the cap are closed by the server without waiting for the idle timeout.
    const early = await Promise.all(conns.map((c) => Promise.race([c.closed.then(() => true), new Promise<boolean>((ok) => setTimeout(() => ok(false), 800))])));
    assert.ok(early.filter((x) => x).length >= 32, `${early.filter((x) => x).length} of 40 closed early`);
    // The ones within the cap are closed by the idle timeout; then a normal GET is served.
    const times = await Promise.all(conns.map((c) => c.closed));
    assert.ok(Math.max(...times) < 5000, `idle connections lasted ${Math.round(Math.max(...times))} ms`);
    const r = await get({ port }, '/healthz');
    assert.equal(r.status, 200);
  });

  test('an idle connection is closed after the idle timeout', async () => {
    const port = await freePort();
    await start({ listen: { host: '127.0.0.1', port }, limits: { idleMs: 500 } });
    const c = await idle(port);
    const ms = await c.closed;
    assert.ok(ms >= 400 && ms < 3000, `closed after ${Math.round(ms)} ms`);
  });

  test('a request whose headers never finish is cut by the headers timeout', async () => {
    const port = await freePort();
    await start({ listen: { host: '127.0.0.1', port }, limits: { idleMs: 60_000, headersMs: 500, requestMs: 1000 } });
    const c = await idle(port);
    // A slow client: a byte every 200 ms keeps the idle timer from firing.
    c.s.write('GET /status HTTP/1.1\r\n');
    const drip = setInterval(() => c.s.write('X'), 200);
    const ms = await c.closed;
    clearInterval(drip);
    assert.ok(ms < 4000, `closed after ${Math.round(ms)} ms`);
  });

  test('Host must be a loopback literal or localhost (DNS rebinding)', async () => {
    const port = await freePort();
    await start({ listen: { host: '127.0.0.1', port } });
    for (const host of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', '127.0.0.1.nip.io', '10.0.0.1', '[::2]'])
      assert.equal((await get({ port }, '/status', host)).status, 403, host);
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', 'localhost', `localhost:${port}`, '127.1.2.3', `[::1]:${port}`, '[::1]']) {
      const r = await get({ port }, '/healthz', host);
      assert.equal(r.status, 200, `${host}: ${r.body}`);
    }
  });

  test('hostAllowed: IP literals only when listening on a non-loopback address', () => {
    assert.equal(hostAllowed('10.0.1.5:9273'), false);
    assert.equal(hostAllowed('10.0.1.5:9273', true), true);
    assert.equal(hostAllowed('[fd00::1]:9273', true), true);
    assert.equal(hostAllowed('nat-a.internal:9273', true), false);
    assert.equal(hostAllowed(undefined), false);
    assert.equal(hostAllowed('127.0.0.1:99999'), false);
  });
});

describe('status socket', () => {
  test('is created mode 0600 (no chmod) and serves', async () => {
    const path = join(tmp, 'mode.sock');
    const before = process.umask(0o022);
    // Count chmod calls: a chmod after listen leaves a window where the socket is more open, and follows symlinks.
    const chmods: string[] = [];
    const saved = { chmodSync: fs.chmodSync, chmod: fs.chmod };
    fs.chmodSync = (p: fs.PathLike, m: fs.Mode) => {
      chmods.push(String(p));
      saved.chmodSync(p, m);
    };
    fs.chmod = ((p: fs.PathLike, m: fs.Mode, cb: fs.NoParamCallback) => {
      chmods.push(String(p));
      saved.chmod(p, m, cb);
    }) as typeof fs.chmod;
    syncBuiltinESMExports();
    try {
      await start({ socketPath: path });
    } finally {
      fs.chmodSync = saved.chmodSync;
      fs.chmod = saved.chmod;
      syncBuiltinESMExports();
      process.umask(before);
    }
    assert.deepEqual(chmods, []);
    assert.equal(process.umask(), before, 'umask restored');
    assert.equal(lstatSync(path).mode & 0o777, 0o600);
    assert.equal((await get({ socketPath: path }, '/healthz')).status, 200);
  });

  test('a second server on the same path refuses with an error naming it; the first keeps serving', async () => {
    const path = join(tmp, 'twice.sock');
    await start({ socketPath: path });
    const ino = statSync(path).ino;
    await assert.rejects(
      startStatusServer({ daemon, metrics, log: quiet, version: 'test', noop: true, socketPath: path }),
      (e: unknown) => e instanceof StatusSocketInUse && e.message.includes(path) && /in use by another running awsnycast/.test(e.message),
    );
    assert.equal(statSync(path).ino, ino, 'the first socket was not replaced');
    assert.equal((await get({ socketPath: path }, '/healthz')).status, 200);
  });

  test('a stale socket (nothing listening) is replaced', async () => {
    const path = join(tmp, 'stale.sock');
    // Leave a socket file behind with nobody listening, as a killed daemon would.
    const { spawnSync } = await import('node:child_process');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
    assert.ok(lstatSync(path).isSocket());
    await start({ socketPath: path });
    assert.equal((await get({ socketPath: path }, '/healthz')).status, 200);
  });

  test('a symlink at the path is neither followed nor removed', async () => {
    const path = join(tmp, 'link.sock');
    const target = join(tmp, 'target');
    const { symlinkSync, writeFileSync } = await import('node:fs');
    writeFileSync(target, 'x', { mode: 0o644 });
    symlinkSync(target, path);
    await start({ socketPath: path });
    assert.ok(lstatSync(path).isSymbolicLink());
    assert.equal(statSync(target).mode & 0o777, 0o644);
  });
});

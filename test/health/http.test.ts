// http and https probes against real servers on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpProbe } from '../../src/health/probes/http.js';
import type { HttpProbeSpec } from '../../src/health/probes/http.js';
import { HealthCode } from '../../src/health/result.js';
import type { Closable, TestPki } from './helpers.js';
import { closedPort, listen, makePki, never } from './helpers.js';

function handler(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/ok':
      res.end('all good: OK\n');
      return;
    case '/503':
      res.writeHead(503).end('down for maintenance');
      return;
    case '/302':
      res.writeHead(302, { location: '/ok' }).end();
      return;
    case '/404':
      res.writeHead(404).end();
      return;
    case '/fail':
      res.end('FAIL');
      return;
    case '/echo':
      res.end(`${req.method ?? ''} ${String(req.headers['x-probe'])} ${String(req.headers.host)}`);
      return;
    case '/hang':
      return; // never answers
    case '/slow-body':
      res.write('partial ');
      setTimeout(() => res.end('READY'), 60);
      return;
    case '/huge':
      res.write('a'.repeat(256 * 1024));
      res.end('NEEDLE');
      return;
    default:
      res.writeHead(404).end();
  }
}

const base = (over: Partial<HttpProbeSpec>): HttpProbeSpec => ({ port: 0, method: 'GET', path: '/ok', headers: {}, ...over });

describe('http probe', () => {
  let server: Closable;
  let port = 0;
  before(async () => {
    const l = await listen(http.createServer(handler));
    server = l;
    port = l.port;
  });
  after(async () => {
    await server.close();
  });

  const cases: Array<{ name: string; over: Partial<HttpProbeSpec>; code: string; detail?: string | RegExp }> = [
    { name: 'a 200 answer passes by default', over: {}, code: HealthCode.ok, detail: 'status 200' },
    { name: 'a 3xx answer passes by default and is not followed', over: { path: '/302' }, code: HealthCode.ok, detail: 'status 302' },
    { name: 'a 503 answer fails by default', over: { path: '/503' }, code: HealthCode.status, detail: 'status 503 (expected 2xx/3xx)' },
    { name: 'a 404 answer fails by default', over: { path: '/404' }, code: HealthCode.status, detail: 'status 404 (expected 2xx/3xx)' },
    { name: 'expect_status lists the accepted codes', over: { path: '/503', expectStatus: [503] }, code: HealthCode.ok },
    { name: 'expect_status excludes codes not listed, even 200', over: { expectStatus: [204, 301] }, code: HealthCode.status, detail: 'status 200 (expected 204 or 301)' },
    { name: 'the body must contain expect', over: { expect: 'OK' }, code: HealthCode.ok },
    { name: 'a body without expect fails with what came', over: { path: '/fail', expect: 'OK' }, code: HealthCode.expect, detail: "expected 'OK' in body, got 'FAIL'" },
    { name: 'the status rule is applied before the body rule', over: { path: '/503', expect: 'maintenance' }, code: HealthCode.status },
    { name: 'expect may arrive in a later chunk of the body', over: { path: '/slow-body', expect: 'READY' }, code: HealthCode.ok },
    { name: 'the body is read only up to the bound', over: { path: '/huge', expect: 'NEEDLE' }, code: HealthCode.expect },
    { name: 'method and headers are sent; Host names the destination', over: { path: '/echo', method: 'POST', headers: { 'X-Probe': 'yes' }, expect: `POST yes 127.0.0.1:` }, code: HealthCode.ok },
    { name: 'a server that never answers times out', over: { path: '/hang' }, code: HealthCode.timeout, detail: 'timeout after 300 ms' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await httpProbe('127.0.0.1', base({ port, ...c.over }), 300)(never);
      assert.equal(r.code, c.code, r.detail);
      if (typeof c.detail === 'string') assert.equal(r.detail, c.detail);
    });
  }

  test('a closed port fails with connect ECONNREFUSED', async () => {
    const r = await httpProbe('127.0.0.1', base({ port: await closedPort() }), 300)(never);
    assert.equal(r.code, HealthCode.refused);
    assert.equal(r.detail, 'connect ECONNREFUSED');
  });

  test('https against a plain http server fails as a TLS error', async () => {
    const r = await httpProbe('127.0.0.1', base({ port, tls: { skipVerify: true } }), 1000)(never);
    assert.equal(r.code, HealthCode.tls, r.detail);
  });
});

describe('https probe', () => {
  let pki: TestPki;
  let server: Closable;
  let port = 0;
  before(async () => {
    pki = makePki();
    const l = await listen(https.createServer({ cert: pki.cert, key: pki.key }, handler));
    server = l;
    port = l.port;
  });
  after(async () => {
    await server.close();
    pki.cleanup();
  });

  test('a certificate from the trusted CA passes', async () => {
    const r = await httpProbe('127.0.0.1', base({ port, expect: 'OK', tls: { caPem: pki.caPem, skipVerify: false } }), 2000)(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });

  test('an untrusted certificate is rejected', async () => {
    const r = await httpProbe('127.0.0.1', base({ port, tls: { caPem: pki.otherCaPem, skipVerify: false } }), 2000)(never);
    assert.equal(r.code, HealthCode.tls);
  });

  test('skipVerify accepts an untrusted certificate', async () => {
    const r = await httpProbe('127.0.0.1', base({ port, tls: { skipVerify: true } }), 2000)(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });

  test('serverName is the name checked, and a mismatch is caught', async () => {
    const good = await httpProbe('127.0.0.1', base({ port, tls: { caPem: pki.caPem, skipVerify: false, serverName: 'health.test' } }), 2000)(never);
    assert.equal(good.code, HealthCode.ok, good.detail);
    const bad = await httpProbe('127.0.0.1', base({ port, tls: { caPem: pki.caPem, skipVerify: false, serverName: 'wrong.test' } }), 2000)(never);
    assert.equal(bad.code, HealthCode.tls);
    assert.equal(bad.detail, 'tls ERR_TLS_CERT_ALTNAME_INVALID');
  });

  test('https status rules apply as for http', async () => {
    const r = await httpProbe('127.0.0.1', base({ port, path: '/503', tls: { caPem: pki.caPem, skipVerify: false } }), 2000)(never);
    assert.equal(r.code, HealthCode.status);
  });
});

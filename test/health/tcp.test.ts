// tcp and TLS probes against real servers on loopback (and IPv6 destinations).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { loadConfigText } from '../../src/config/index.js';
import { createProbe } from '../../src/health/probes/index.js';
import { httpProbe } from '../../src/health/probes/http.js';
import { tcpProbe } from '../../src/health/probes/tcp.js';
import { HealthCode } from '../../src/health/result.js';
import type { Closable, TestPki } from './helpers.js';
import { closedPort, listen, makePki, never, spec } from './helpers.js';

describe('tcp probe', () => {
  const servers: Closable[] = [];
  let plain = 0;
  let pingPong = 0;
  let slowOk = 0;
  let wrong = 0;
  let silent = 0;
  let silentAccepts = 0;

  before(async () => {
    const a = await listen(net.createServer((s) => s.on('data', () => undefined)));
    plain = a.port;
    // Answers OK only after it has read PING, in two packets.
    const b = await listen(
      net.createServer((s) => {
        let got = '';
        s.on('data', (d) => {
          got += d.toString();
          if (got.includes('PING\n')) {
            s.write('+O');
            setTimeout(() => s.end('K\n'), 30);
          }
        });
      }),
    );
    pingPong = b.port;
    // Sends a banner, then the expected word well after the first packet.
    const c = await listen(
      net.createServer((s) => {
        s.write('hello\n');
        const t = setTimeout(() => s.write('status: OK\n'), 80);
        s.on('close', () => clearTimeout(t));
      }),
    );
    slowOk = c.port;
    const d = await listen(net.createServer((s) => s.end('FAIL\n')));
    wrong = d.port;
    const e = await listen(
      net.createServer(() => {
        silentAccepts++;
      }),
    );
    silent = e.port;
    servers.push(a, b, c, d, e);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('a listening port passes', async () => {
    const r = await tcpProbe('127.0.0.1', { port: plain }, 1000)(never);
    assert.equal(r.code, HealthCode.ok);
    assert.equal(r.ok, true);
    assert.ok(r.latencyMs >= 0);
  });

  test('a closed port fails with connect ECONNREFUSED', async () => {
    const r = await tcpProbe('127.0.0.1', { port: await closedPort() }, 1000)(never);
    assert.equal(r.code, HealthCode.refused);
    assert.equal(r.detail, 'connect ECONNREFUSED');
  });

  test('send then expect passes when the answer arrives split over packets', async () => {
    const r = await tcpProbe('127.0.0.1', { port: pingPong, send: 'PING\n', expect: '+OK' }, 1000)(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });

  test('expect matches text after the first packet', async () => {
    const r = await tcpProbe('127.0.0.1', { port: slowOk, expect: 'status: OK' }, 1000)(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });

  test('a wrong answer fails with the expected and received text', async () => {
    const r = await tcpProbe('127.0.0.1', { port: wrong, expect: 'OK' }, 1000)(never);
    assert.equal(r.code, HealthCode.expect);
    assert.equal(r.detail, "expected 'OK', got 'FAIL'");
  });

  test('a server that accepts and never answers times out', async () => {
    const before = silentAccepts;
    const r = await tcpProbe('127.0.0.1', { port: silent, send: 'PING\n', expect: 'PONG' }, 300)(never);
    assert.equal(r.code, HealthCode.timeout);
    assert.equal(r.detail, 'timeout after 300 ms');
    assert.equal(silentAccepts, before + 1, 'it did connect');
  });

  test('stopping the check aborts a probe in flight at once', async () => {
    const ac = new AbortController();
    const p = tcpProbe('127.0.0.1', { port: silent, expect: 'PONG' }, 5000)(ac.signal);
    setTimeout(() => ac.abort(), 50);
    const r = await p;
    assert.equal(r.code, HealthCode.aborted);
  });

  test('createProbe builds a tcp probe from a check spec', async () => {
    const r = await createProbe(spec({ kind: 'tcp', port: pingPong, send: 'PING\n', expect: 'OK' }), '127.0.0.1')(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });
});

describe('tcp probe over TLS', () => {
  let pki: TestPki;
  let server: Closable;
  let port = 0;

  before(async () => {
    pki = makePki();
    const l = await listen(
      tls.createServer({ cert: pki.cert, key: pki.key }, (s) => {
        s.on('data', (d: Buffer) => {
          if (d.toString().includes('PING')) s.write('PONG\n');
        });
        s.on('error', () => undefined);
      }),
    );
    server = l;
    port = l.port;
  });
  after(async () => {
    await server.close();
    pki.cleanup();
  });

  test('a certificate signed by the trusted cert passes, with send and expect', async () => {
    const r = await tcpProbe('127.0.0.1', { port, send: 'PING\n', expect: 'PONG', tls: { caPem: pki.caPem, skipVerify: false } }, 2000)(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });

  test('serverName sets SNI and the name that is checked', async () => {
    const names: string[] = [];
    const context = tls.createSecureContext({ cert: pki.cert, key: pki.key });
    // SNICallback sees the name in the ClientHello; it is not called when no name is sent.
    const sni = await listen(
      tls.createServer(
        {
          cert: pki.cert,
          key: pki.key,
          SNICallback: (name, cb) => {
            names.push(name);
            cb(null, context);
          },
        },
        (s) => s.end(),
      ),
    );
    try {
      const r = await tcpProbe('127.0.0.1', { port: sni.port, tls: { caPem: pki.caPem, skipVerify: false, serverName: 'health.test' } }, 2000)(never);
      assert.equal(r.code, HealthCode.ok, r.detail);
      // Without serverName no SNI is sent (an IP address is not a valid SNI) and the IP SAN is checked.
      const ip = await tcpProbe('127.0.0.1', { port: sni.port, tls: { caPem: pki.caPem, skipVerify: false } }, 2000)(never);
      assert.equal(ip.code, HealthCode.ok, ip.detail);
      assert.deepEqual(names, ['health.test']);
    } finally {
      await sni.close();
    }
  });

  test('a certificate from an untrusted CA is rejected', async () => {
    const r = await tcpProbe('127.0.0.1', { port, tls: { caPem: pki.otherCaPem, skipVerify: false } }, 2000)(never);
    assert.equal(r.code, HealthCode.tls);
    assert.match(r.detail, /^tls /);
  });

  test('without cert or certPath the system roots do not trust a private CA', async () => {
    const r = await tcpProbe('127.0.0.1', { port, tls: { skipVerify: false } }, 2000)(never);
    assert.equal(r.code, HealthCode.tls);
  });

  test('skipVerify accepts an untrusted certificate', async () => {
    const r = await tcpProbe('127.0.0.1', { port, tls: { caPem: pki.otherCaPem, skipVerify: true } }, 2000)(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });

  test('a serverName the certificate does not carry is caught', async () => {
    const r = await tcpProbe('127.0.0.1', { port, tls: { caPem: pki.caPem, skipVerify: false, serverName: 'other.test' } }, 2000)(never);
    assert.equal(r.code, HealthCode.tls);
    assert.equal(r.detail, 'tls ERR_TLS_CERT_ALTNAME_INVALID');
  });

  test('TLS against a plain TCP server fails the handshake within the timeout', async () => {
    const plain = await listen(net.createServer((s) => s.on('data', () => undefined)));
    try {
      const r = await tcpProbe('127.0.0.1', { port: plain.port, tls: { skipVerify: true } }, 300)(never);
      assert.equal(r.code, HealthCode.timeout);
    } finally {
      await plain.close();
    }
  });

  for (const how of ['certPath', 'cert'] as const) {
    test(`a check loaded from a config file trusts the CA given with ${how}`, async () => {
      const caLine =
        how === 'certPath'
          ? `            certPath: ${pki.caPath}`
          : `            cert: |\n${pki.caPem.trimEnd().split('\n').map((l) => '                ' + l).join('\n')}`;
      const text = [
        'healthchecks:',
        '    web:',
        '        type: tcp',
        '        destination: 127.0.0.1',
        '        every: 1',
        '        config:',
        `            port: ${port}`,
        '            ssl: "true"',
        '            serverName: health.test',
        caLine,
        'routetables:',
        '    a:',
        '        find: {type: main}',
        '        manage_routes: [{cidr: 10.9.9.9/32, healthcheck: web}]',
        '',
      ].join('\n');
      const file = join(pki.dir, `config-${how}.yaml`);
      writeFileSync(file, text);
      const loaded = loadConfigText(text, file);
      assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.problems));
      const check = loaded.config.healthchecks.web;
      assert.ok(check !== undefined);
      const r = await createProbe(check, '127.0.0.1')(never);
      assert.equal(r.code, HealthCode.ok, r.detail);
    });
  }
});

function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === '::1'));
}

describe('IPv6 destinations', { skip: hasIpv6Loopback() ? false : 'this machine has no IPv6 loopback' }, () => {
  test('tcp and http probes reach ::1', async () => {
    const tcpServer = await listen(net.createServer((s) => s.end('hi\n')), '::1');
    const httpServer = await listen(http.createServer((_req, res) => res.end('v6 OK')), '::1');
    try {
      const t = await tcpProbe('::1', { port: tcpServer.port, expect: 'hi' }, 1000)(never);
      assert.equal(t.code, HealthCode.ok, t.detail);
      const h = await httpProbe('::1', { port: httpServer.port, method: 'GET', path: '/', headers: {}, expect: 'v6 OK' }, 1000)(never);
      assert.equal(h.code, HealthCode.ok, h.detail);
    } finally {
      await tcpServer.close();
      await httpServer.close();
    }
  });
});

// `awsnycast check` as a child process against loopback servers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Closable } from './helpers.js';
import { closedPort, listen } from './helpers.js';

const entry = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/entry.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, ...args], { timeout: 30000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('awsnycast check', () => {
  let dir = '';
  let server: Closable & { port: number };
  let goodConfig = '';
  let mixedConfig = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'awsn-check-'));
    server = await listen(net.createServer((s) => s.end('+OK ready\n')));
    const closed = await closedPort();
    const route = ['routetables:', '    a:', '        find: {type: main}', '        manage_routes: [{cidr: 10.9.9.9/32, healthcheck: web}]', ''];
    const web = ['    web:', '        type: tcp', '        destination: 127.0.0.1', '        every: 0.2', '        rise: 2', '        config:', `            port: ${server.port}`, '            expect: "+OK"'];
    goodConfig = join(dir, 'good.yaml');
    writeFileSync(goodConfig, ['healthchecks:', ...web, ...route].join('\n'));
    mixedConfig = join(dir, 'mixed.yaml');
    writeFileSync(
      mixedConfig,
      [
        'healthchecks:',
        ...web,
        '    db:',
        '        type: tcp',
        '        destination: 127.0.0.1',
        '        every: 0.2',
        '        config:',
        `            port: ${closed}`,
        'remote_healthchecks:',
        '    peer:',
        '        type: command',
        '        every: 0.2',
        '        rise: 1',
        '        config: {command: "true"}',
        ...route,
      ].join('\n'),
    );
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('all checks healthy: a table and exit 0', async () => {
    const r = await cli(['check', '-f', goodConfig]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+TYPE\s+DESTINATION\s+STATE\s+LATENCY\s+DETAIL$/);
    assert.match(lines[1] ?? '', /^web\s+tcp\s+127\.0\.0\.1\s+healthy\s+[\d.]+ ms\s+ok$/);
  });

  test('one check unhealthy: exit 1, with its detail', async () => {
    const r = await cli(['check', '-f', mixedConfig]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^db\s+tcp\s+127\.0\.0\.1\s+unhealthy\s+[\d.]+ ms\s+connect ECONNREFUSED$/m);
    assert.match(r.stdout, /^web\s+.*healthy/m);
  });

  test('--json gives every check with state, code and results', async () => {
    const r = await cli(['check', '-f', mixedConfig, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { healthy: boolean; checks: Array<{ name: string; state: string; decided: boolean; code: string; results: unknown[] }> };
    assert.equal(out.healthy, false);
    const byName = new Map(out.checks.map((c) => [c.name, c]));
    assert.equal(byName.get('web')?.state, 'healthy');
    assert.equal(byName.get('db')?.state, 'unhealthy');
    assert.equal(byName.get('db')?.code, 'HC_REFUSED');
    assert.equal(byName.get('db')?.decided, true);
    assert.ok((byName.get('db')?.results.length ?? 0) >= 2);
  });

  test('named checks only', async () => {
    const r = await cli(['check', '-f', mixedConfig, 'web']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /^db/m);
  });

  test('a remote template runs against NAME@IP', async () => {
    const r = await cli(['check', '-f', mixedConfig, '--json', 'peer@127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { checks: Array<{ destination: string; state: string }> };
    assert.deepEqual(out.checks.map((c) => [c.destination, c.state]), [['127.0.0.1', 'healthy']]);
  });

  test('an unknown NAME is a usage error, exit 2', async () => {
    const r = await cli(['check', '-f', mixedConfig, 'wbe']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown health check "wbe" \(did you mean "web"\?\)/);
  });

  test('a remote template without a destination is a usage error', async () => {
    const r = await cli(['check', '-f', mixedConfig, 'peer']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /peer@IP/);
  });

  test('a broken config exits 1 with its problems', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'healthchecks: {x: {type: nope}}\n');
    const r = await cli(['check', '-f', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml/);
  });
});

// command probes: real processes, killed with their process group at the timeout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { commandProbe } from '../../src/health/probes/command.js';
import { createProbe } from '../../src/health/probes/index.js';
import { HealthCode } from '../../src/health/result.js';
import { never, spec } from './helpers.js';

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('command probe', () => {
  test('exit 0 passes', async () => {
    const r = await commandProbe('127.0.0.1', { command: 'true', args: [] }, 2000)(never);
    assert.equal(r.code, HealthCode.ok);
  });

  test('a non-zero exit fails with its status and the last line of stderr', async () => {
    const r = await commandProbe('127.0.0.1', { command: 'sh', args: ['-c', 'echo backend down >&2; exit 1'] }, 2000)(never);
    assert.equal(r.code, HealthCode.exit);
    assert.equal(r.detail, 'exit status 1: backend down');
  });

  test('a silent non-zero exit fails with just its status', async () => {
    const r = await commandProbe('127.0.0.1', { command: 'false', args: [] }, 2000)(never);
    assert.equal(r.detail, 'exit status 1');
  });

  test('%DESTINATION% is substituted inside arguments, without a shell', async () => {
    const r = await commandProbe('127.0.0.9', { command: 'sh', args: ['-c', 'test "$1" = "@127.0.0.9;x"', 'sh', '@%DESTINATION%;x'] }, 2000)(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });

  test('a missing command fails as a spawn error', async () => {
    const r = await commandProbe('127.0.0.1', { command: '/nonexistent/check', args: [] }, 2000)(never);
    assert.equal(r.code, HealthCode.spawn);
    assert.equal(r.detail, 'spawn ENOENT');
  });

  test('a command that hangs is killed with its process group at the timeout', async () => {
    const pidFile = `/tmp/awsn-cmd-${process.pid}`;
    const r = await commandProbe('127.0.0.1', { command: 'sh', args: ['-c', `sleep 60 & echo $! > ${pidFile}; wait`] }, 300)(never);
    assert.equal(r.code, HealthCode.timeout);
    assert.equal(r.detail, 'killed after timeout (300 ms)');
    const child = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(running(child), false, 'the child in the group is gone too');
  });

  test('a child left behind by a passing command is reaped', async () => {
    const pidFile = `/tmp/awsn-cmd2-${process.pid}`;
    const r = await commandProbe('127.0.0.1', { command: 'sh', args: ['-c', `sleep 60 > /dev/null 2>&1 & echo $! > ${pidFile}`] }, 2000)(never);
    assert.equal(r.code, HealthCode.ok);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(running(Number(readFileSync(pidFile, 'utf8'))), false);
  });

  test('the check name and destination are in the environment', async () => {
    const s = spec({ kind: 'command', command: 'sh', args: ['-c', 'test "$AWSNYCAST_CHECK/$AWSNYCAST_DESTINATION" = "named/127.0.0.1"'] }, { name: 'named' });
    const r = await createProbe(s, '127.0.0.1')(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
  });
});

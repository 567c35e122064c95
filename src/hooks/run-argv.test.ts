import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runArgv } from './run-argv.js';

test('a command that exits 0 reports its status and output', async () => {
  const r = await runArgv(['sh', '-c', 'echo out; echo err >&2'], { timeoutMs: 5000 });
  assert.equal(r.exitCode, 0);
  assert.equal(r.timedOut, false);
  assert.equal(r.stdoutTail, 'out\n');
  assert.equal(r.stderrTail, 'err\n');
});

test('a non-zero exit status is reported', async () => {
  const r = await runArgv(['sh', '-c', 'exit 3'], { timeoutMs: 5000 });
  assert.equal(r.exitCode, 3);
});

test('arguments are passed without a shell', async () => {
  const r = await runArgv(['printf', '%s|', 'a b', '$HOME', '; rm -rf /'], { timeoutMs: 5000 });
  assert.equal(r.stdoutTail, 'a b|$HOME|; rm -rf /|');
});

test('extra environment variables reach the command', async () => {
  const r = await runArgv(['sh', '-c', 'printf %s "$AWSN_X"'], { timeoutMs: 5000, env: { AWSN_X: 'yes' } });
  assert.equal(r.stdoutTail, 'yes');
});

test('a missing executable is a spawn error, not an exception', async () => {
  const r = await runArgv(['/nonexistent/awsn-nothing'], { timeoutMs: 5000 });
  assert.equal(r.spawnError, 'ENOENT');
  assert.equal(r.exitCode, null);
});

test('an argument that spawn refuses outright (a NUL byte) is a spawn error, not a rejection', async () => {
  const r = await runArgv(['echo', 'a\u0000b'], { timeoutMs: 5000 });
  assert.equal(r.spawnError, 'ERR_INVALID_ARG_VALUE');
  assert.equal(r.exitCode, null);
});

test('an empty argv is refused', async () => {
  const r = await runArgv([], { timeoutMs: 5000 });
  assert.equal(r.spawnError, 'EMPTY_ARGV');
});

/** Running, as opposed to gone or a zombie waiting for a parent that does not reap (pid 1 in some containers). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

test('a hanging command and its children are killed at the timeout', async () => {
  // The shell starts a child that would outlive it; both must die.
  const r = await runArgv(['sh', '-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 300 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
  const childPid = Number(r.stdoutTail.trim());
  assert.ok(childPid > 0);
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(alive(childPid), false, 'the grandchild was killed with the group');
});

test('SIGTERM first when a kill grace is given', async () => {
  const r = await runArgv(['sh', '-c', 'trap "exit 7" TERM; sleep 30 & wait'], { timeoutMs: 200, killGraceMs: 2000 });
  assert.equal(r.timedOut, true);
  assert.equal(r.exitCode, 7);
});

test('aborting the signal kills the group and reports it', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const r = await runArgv(['sleep', '30'], { timeoutMs: 10000, signal: ac.signal });
  assert.equal(r.aborted, true);
  assert.equal(r.timedOut, false);
});

test('a background child holding the pipes does not stall the result when reaped', async () => {
  const r = await runArgv(['sh', '-c', 'sleep 30 & echo started'], { timeoutMs: 5000, reapGroup: true });
  assert.equal(r.exitCode, 0);
  assert.equal(r.timedOut, false);
  assert.ok(r.durationMs < 4000);
});

test('only the tail of long output is kept', async () => {
  const r = await runArgv(['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done'], { timeoutMs: 5000, tailBytes: 100 });
  assert.ok(r.stdoutTail.length <= 100);
  assert.ok(r.stdoutTail.endsWith('line1999\n'));
});

test('after a timeout, a member that ignores SIGTERM is killed at the end of the grace even when the leader died on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'awsn-hook-'));
  const pidFile = join(dir, 'pid');
  try {
    // The leader (sh, waiting) dies on SIGTERM; its child ignores SIGTERM (the ignored disposition survives exec).
    const r = await runArgv(['/bin/sh', '-c', `(trap "" TERM; exec sleep 30) & echo $! > ${pidFile}; wait`], { timeoutMs: 300, killGraceMs: 400 });
    assert.equal(r.timedOut, true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 5000;
    while (alive() && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
    assert.equal(alive(), false, 'the member that ignored SIGTERM survived');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

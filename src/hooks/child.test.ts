// What a hook or command check gets from the daemon: its program judged, no
// AWS_* variables unless asked, no inherited capabilities. Real processes.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childEnv, dropArg, isAwsVariable, launchChild, parseHeldCaps } from './child.js';
import { runArgv } from './run-argv.js';

const tmp = mkdtempSync(join(tmpdir(), 'awsn-child-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh directory (mode 0755 whatever the umask) holding one shell script that touches `marker` when it runs. */
function script(dirName: string, marker: string, dirMode = 0o755, fileMode = 0o755): { dir: string; file: string } {
  const dir = join(tmp, dirName);
  mkdirSync(dir);
  chmodSync(dir, dirMode);
  const file = join(dir, 'hook');
  writeFileSync(file, `#!/bin/sh\ntouch ${marker}\n`);
  chmodSync(file, fileMode);
  return { dir, file };
}

const envLines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('the environment of hooks and command checks', () => {
  test('every AWS_ variable is dropped, whatever follows the prefix; everything else is kept and the extras added', () => {
    const base = {
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'x',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token',
      AWS_ROLE_ARN: 'arn:aws:iam::1:role/r',
      AWS_PROFILE: 'p',
      AWS_SHARED_CREDENTIALS_FILE: '/root/.aws/credentials',
      aws_secret_access_key: 'lower case too',
      PATH: '/usr/bin:/bin',
      HOME: '/root',
      AWSNYCAST_X: 'ours',
    };
    assert.deepEqual(childEnv({ AWSNYCAST_EVENT: 'run_on_healthy' }, false, base), {
      PATH: '/usr/bin:/bin',
      HOME: '/root',
      AWSNYCAST_X: 'ours',
      AWSNYCAST_EVENT: 'run_on_healthy',
    });
    assert.deepEqual(childEnv({}, true, base), base);
    assert.equal(isAwsVariable('AWSNYCAST_CHECK'), false);
  });

  test('a real hook sees no AWS_ variable by default, and the daemon\'s when it inherits them (pass_aws_env)', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDCHILDTEST';
    process.env.AWS_SESSION_TOKEN = 'token';
    try {
      const plain = await runArgv(['env'], { timeoutMs: 5000, env: { AWSNYCAST_EVENT: 'x' } });
      assert.equal(plain.exitCode, 0, plain.stderrTail);
      const lines = envLines(plain.stdoutTail);
      assert.deepEqual(lines.filter((l) => /^AWS_/i.test(l)), []);
      assert.ok(lines.includes('AWSNYCAST_EVENT=x'));
      assert.ok(lines.some((l) => l.startsWith('PATH=')));
      const passed = await runArgv(['env'], { timeoutMs: 5000, inherit: { awsEnv: true, capabilities: false } });
      assert.ok(envLines(passed.stdoutTail).includes('AWS_ACCESS_KEY_ID=AKIDCHILDTEST'));
      assert.ok(envLines(passed.stdoutTail).includes('AWS_SESSION_TOKEN=token'));
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SESSION_TOKEN;
    }
  });
});

describe('the program of a hook or command check is judged like the config file', () => {
  test('a program in a directory others can write is refused and never runs', async () => {
    const marker = join(tmp, 'ran-open-dir');
    const { file } = script('open-dir', marker, 0o777);
    const r = await runArgv([file], { timeoutMs: 5000 });
    assert.equal(r.spawnError, 'UNSAFE_PROGRAM');
    assert.match(r.spawnDetail ?? '', /directory .*open-dir is writable by group or others \(mode 0777\)/);
    assert.equal(existsSync(marker), false);
  });

  test('a program writable by group is refused; found through PATH as well as by its path', async () => {
    const marker = join(tmp, 'ran-group-writable');
    const { dir } = script('group-writable', marker, 0o755, 0o775);
    const r = await runArgv(['hook'], { timeoutMs: 5000, env: { PATH: dir } });
    assert.equal(r.spawnError, 'UNSAFE_PROGRAM');
    assert.match(r.spawnDetail ?? '', /group-writable\/hook: writable by group or others \(mode 0775\)/);
    assert.equal(existsSync(marker), false);
  });

  test('a safe program found through PATH runs, by the path it was found at', async () => {
    const marker = join(tmp, 'ran-safe');
    const { dir } = script('safe', marker);
    const r = await runArgv(['hook'], { timeoutMs: 5000, env: { PATH: `${join(tmp, 'nowhere')}:${dir}:/usr/bin:/bin` } });
    assert.equal(r.exitCode, 0, r.spawnError ?? r.stderrTail);
    assert.ok(existsSync(marker));
    const found = launchChild(['hook', 'a'], { env: { PATH: dir }, caps: { ambient: 0n, inheritable: 0n } });
    assert.deepEqual('file' in found ? [found.file, found.args] : found, [join(dir, 'hook'), ['a']]);
  });

  test('a program owned by another user is refused', { skip: process.getuid?.() !== 0 && 'needs root (chown)' }, async () => {
    const marker = join(tmp, 'ran-nobody');
    const { file } = script('nobody-owns', marker);
    chownSync(file, 65534, 65534);
    const r = await runArgv([file], { timeoutMs: 5000 });
    assert.equal(r.spawnError, 'UNSAFE_PROGRAM');
    assert.match(r.spawnDetail ?? '', /owned by uid 65534/);
    assert.equal(existsSync(marker), false);
  });

  test('a program that is missing or not executable is ENOENT or EACCES, as spawn says it', async () => {
    assert.equal((await runArgv(['awsn-no-such-program'], { timeoutMs: 5000, env: { PATH: tmp } })).spawnError, 'ENOENT');
    const { file } = script('not-executable', join(tmp, 'never'), 0o755, 0o644);
    assert.equal((await runArgv([file], { timeoutMs: 5000 })).spawnError, 'EACCES');
  });

  test('ping (privileged) is not judged and keeps the daemon\'s environment', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    try {
      const r = await runArgv(['env'], { timeoutMs: 5000, privileged: true });
      assert.ok(envLines(r.stdoutTail).includes('AWS_REGION=eu-west-1'));
    } finally {
      delete process.env.AWS_REGION;
    }
  });
});

describe('no inherited capabilities', () => {
  test('the sets are read from /proc/self/status', () => {
    assert.deepEqual(parseHeldCaps('CapInh:\t0000000000002000\nCapPrm:\t0000000000002000\nCapAmb:\t0000000000002000\n'), { ambient: 0x2000n, inheritable: 0x2000n });
    assert.deepEqual(parseHeldCaps('Name:\tx\n'), { ambient: 0n, inheritable: 0n });
  });

  test('with capabilities held, the program is started through setpriv, which clears them', () => {
    const l = launchChild(['sh', '-c', 'x'], { caps: { ambient: 0x2000n, inheritable: 0x2000n }, setprivPaths: ['/usr/bin/setpriv'] });
    assert.ok('file' in l, JSON.stringify(l));
    assert.equal(l.file, '/usr/bin/setpriv');
    assert.deepEqual(l.args.slice(0, 3), ['--inh-caps=-net_raw', '--ambient-caps=-net_raw', '--']);
    assert.match(l.args[3] ?? '', /\/sh$/);
  });

  test('the capabilities held are dropped by name (old setpriv refuses -all on newer kernels); -all only for one it cannot name', () => {
    assert.equal(dropArg({ ambient: 0x2000n, inheritable: 0n }), '-net_raw');
    assert.equal(dropArg({ ambient: 0x1000n, inheritable: 0x2001n }), '-chown,-net_admin,-net_raw');
    assert.equal(dropArg({ ambient: 1n << 40n, inheritable: 0n }), '-checkpoint_restore');
    assert.equal(dropArg({ ambient: 1n << 45n, inheritable: 0n }), '-all');
  });

  test('without setpriv, a child that would inherit capabilities is not started (fail closed)', () => {
    const l = launchChild(['sh', '-c', 'x'], { caps: { ambient: 0x2000n, inheritable: 0x2000n }, setprivPaths: [join(tmp, 'no-setpriv')] });
    assert.ok('error' in l);
    assert.equal(l.error, 'NO_SETPRIV');
    assert.match(l.detail ?? '', /CapAmb 0000000000002000.*no trusted setpriv/);
  });

  // A daemon process that holds CAP_NET_RAW as an ambient capability, as under the packaged unit.
  const setprivWorks = process.getuid?.() === 0 && spawnSync('setpriv', ['--inh-caps', '+net_raw', '--ambient-caps', '+net_raw', 'true']).status === 0;
  test('a hook started by a daemon with ambient CAP_NET_RAW has none; ping, and a hook with pass_capabilities, keep it', { skip: !setprivWorks && 'needs root and setpriv' }, () => {
    const runArgvJs = resolve(import.meta.dirname, 'run-argv.js');
    const program = `
      const { runArgv } = await import(${JSON.stringify(runArgvJs)});
      const amb = async (opts) => (await runArgv(['grep', 'CapAmb', '/proc/self/status'], { timeoutMs: 5000, ...opts })).stdoutTail.trim();
      console.log(JSON.stringify({
        hook: await amb({}),
        ping: await amb({ privileged: true }),
        passed: await amb({ inherit: { awsEnv: false, capabilities: true } }),
      }));`;
    const out = execFileSync('setpriv', ['--inh-caps', '+net_raw', '--ambient-caps', '+net_raw', process.execPath, '--input-type=module', '-e', program], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { hook: 'CapAmb:\t0000000000000000', ping: 'CapAmb:\t0000000000002000', passed: 'CapAmb:\t0000000000002000' });
  });
});

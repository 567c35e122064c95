// The files a config makes the daemon trust besides itself — CA files of TLS
// checks (certPath) and the programs of hooks and command checks — judged by
// the config file's rule: run, plan and check refuse an untrusted one
// (CFG_UNSAFE, located), validate warns. And what a command check's process
// gets from the daemon: no AWS_* variables (unless pass_aws_env), no ambient
// capabilities (unless pass_capabilities). The built CLI as a user runs it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, ROOT, runCli } from './helpers/cli.js';
import type { CliResult } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'awsn-named-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const noStackTrace = (s: string): void => assert.doesNotMatch(s, /\n\s+at .*\(.*:\d+:\d+\)/);

const TABLES = 'routetables:\n  t:\n    find: {type: main}\n    manage_routes:\n      - {cidr: 10.0.0.1/32}\n';

let n = 0;
/** A fresh directory with `mode` (whatever the umask). */
function dir(name: string, mode = 0o755): string {
  const d = join(tmp, `${name}-${++n}`);
  mkdirSync(d);
  chmodSync(d, mode);
  return d;
}

/** A config file (mode 0600, in a private directory) holding `body`. */
function config(body: string): string {
  const f = join(dir('conf'), 'awsnycast.yaml');
  writeFileSync(f, body);
  chmodSync(f, 0o600);
  return f;
}

function caIn(d: string, mode = 0o644): string {
  const f = join(d, 'ca.pem');
  copyFileSync(join(ROOT, 'examples/ca.pem'), f);
  chmodSync(f, mode);
  return f;
}

function programIn(d: string, mode = 0o755): string {
  const f = join(d, 'hook');
  writeFileSync(f, '#!/bin/sh\nexit 0\n');
  chmodSync(f, mode);
  return f;
}

const httpsCheck = (certPath: string): string => `healthchecks:\n  web: {type: https, destination: 127.0.0.1, every: 1, config: {certPath: ${JSON.stringify(certPath)}}}\n${TABLES}`;
const hookCheck = (program: string): string => `healthchecks:\n  up: {type: ping, destination: 127.0.0.1, every: 1, run_on_healthy: [${JSON.stringify(program)}, arg]}\n${TABLES}`;

// Metadata that cannot answer: a run or plan that got past the config would fail later, differently.
const NO_IMDS = { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' };

/** run -oneshot, plan and check all refuse the file with CFG_UNSAFE at `where`, matching `why`; validate warns and passes. */
async function refusedEverywhereButValidate(file: string, where: RegExp, why: RegExp): Promise<void> {
  for (const args of [['run', '-oneshot'], ['plan'], ['check']]) {
    const r = await runCli([...args, '-f', file], { env: NO_IMDS });
    assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, where, args[0]);
    assert.match(r.stderr, why, args[0]);
    assert.match(r.stderr, /so run, plan and check refuse it/);
    noStackTrace(r.stderr);
  }
  const v = await runCli(['validate', '-f', file]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stderr, new RegExp(`${where.source}warning: `));
  assert.match(v.stderr, why);
}

describe('certPath', () => {
  test('a FIFO is refused at once, not waited on', async () => {
    const fifo = join(dir('fifo'), 'ca.pem');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['validate', '-f', config(httpsCheck(fifo))], { timeoutMs: 10_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /:2:\d+: healthchecks\.web\.config\.certPath: certPath must name a regular file \(.*ca\.pem: not a regular file\)/);
  });

  test('/dev/zero is refused, not read', async () => {
    const r = await runCli(['validate', '-f', config(httpsCheck('/dev/zero'))], { timeoutMs: 10_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /healthchecks\.web\.config\.certPath: certPath must name a regular file \(\/dev\/zero: not a regular file\)/);
    noStackTrace(r.stderr);
  });

  test('a CA file in a directory others can write is refused by run, plan and check; validate warns', async () => {
    const ca = caIn(dir('open', 0o777));
    await refusedEverywhereButValidate(config(httpsCheck(ca)), /:2:\d+: healthchecks\.web\.config\.certPath: /, /directory .*open-\d+ is writable by group or others \(mode 0777\)/);
  });

  test('a group-writable CA file is refused', async () => {
    const ca = caIn(dir('ca'), 0o664);
    await refusedEverywhereButValidate(config(httpsCheck(ca)), /healthchecks\.web\.config\.certPath: /, /ca\.pem: writable by group or others \(mode 0664\)/);
  });

  test('a CA file owned by another user is refused', { skip: !isRoot && 'needs root (chown)' }, async () => {
    const ca = caIn(dir('ca'));
    chownSync(ca, 65534, 65534);
    await refusedEverywhereButValidate(config(httpsCheck(ca)), /healthchecks\.web\.config\.certPath: /, /owned by uid 65534/);
  });

  test('a root-owned CA file in a private directory is accepted', async () => {
    const r = await runCli(['validate', '-f', config(httpsCheck(caIn(dir('ca'))))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});

describe('programs of hooks and command checks', () => {
  test('a hook program writable by others is refused by run, plan and check; validate warns', async () => {
    const p = programIn(dir('prog'), 0o757);
    await refusedEverywhereButValidate(config(hookCheck(p)), /:2:\d+: healthchecks\.up\.run_on_healthy\[0\]: /, /program .*hook: .*writable by group or others \(mode 0757\)/);
  });

  test('a route hook program in a directory others can write is refused', async () => {
    const p = programIn(dir('open', 0o777));
    const body = `routetables:\n  t:\n    find: {type: main}\n    manage_routes:\n      - {cidr: 10.0.0.1/32, run_after_replace_route: [${JSON.stringify(p)}]}\n`;
    await refusedEverywhereButValidate(config(body), /:5:\d+: routetables\.t\.manage_routes\[0\]\.run_after_replace_route\[0\]: /, /directory .*open-\d+ is writable by group or others/);
  });

  test('a command check found through PATH is judged where PATH finds it', async () => {
    const d = dir('path-open', 0o777);
    programIn(d);
    const file = config(`healthchecks:\n  c: {type: command, destination: 127.0.0.1, every: 1, config: {command: hook}}\n${TABLES}`);
    const r = await runCli(['check', '-f', file], { env: { PATH: `${d}:${process.env.PATH ?? ''}` } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /healthchecks\.c\.config\.command: program .*path-open-\d+\/hook: directory .* is writable by group or others/);
  });

  test('a hook program owned by another user is refused', { skip: !isRoot && 'needs root (chown)' }, async () => {
    const p = programIn(dir('prog'));
    chownSync(p, 65534, 65534);
    await refusedEverywhereButValidate(config(hookCheck(p)), /healthchecks\.up\.run_on_healthy\[0\]: /, /owned by uid 65534/);
  });

  test('system programs and a safe script are accepted; a missing one is left to the run', async () => {
    const body = `healthchecks:
  a: {type: ping, destination: 127.0.0.1, every: 1, run_on_healthy: [sh, -c, "true"], run_on_unhealthy: [${JSON.stringify(programIn(dir('prog')))}]}
  b: {type: command, destination: 127.0.0.1, every: 1, config: {command: /bin/true}}
  c: {type: command, destination: 127.0.0.1, every: 1, config: {command: awsn-not-installed-anywhere}}
${TABLES}`;
    const r = await runCli(['validate', '-f', config(body)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});

/** Runs the CLI under `prefix` (setpriv ...), as `runCli` does. */
function runUnder(prefix: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((ok, reject) => {
    const child = spawn(prefix[0] ?? BIN, [...prefix.slice(1), ...(prefix.length > 0 ? [BIN] : []), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

describe('what a command check\'s process gets', () => {
  // Each check fails on purpose and so reports the last line its process wrote to stderr.
  const body = (head: string): string => `${head}healthchecks:
  caps: {type: command, destination: 127.0.0.1, every: 0.2, rise: 1, fall: 1, config: {command: sh, arguments: [-c, "grep CapAmb /proc/self/status >&2; exit 1"]}}
  env: {type: command, destination: 127.0.0.1, every: 0.2, rise: 1, fall: 1, config: {command: sh, arguments: [-c, "echo aws=$(env | grep -c ^AWS_) key=$AWS_ACCESS_KEY_ID >&2; exit 1"]}}
${TABLES}`;
  const AWS = { AWS_ACCESS_KEY_ID: 'AKIDNAMEDFILES', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_PROFILE: 'p' };
  const details = (r: CliResult): Record<string, string> => {
    const j = JSON.parse(r.stdout) as { checks: { name: string; detail: string }[] };
    return Object.fromEntries(j.checks.map((c) => [c.name, c.detail]));
  };
  const ambient = isRoot && spawnSync('setpriv', ['--inh-caps', '+net_raw', '--ambient-caps', '+net_raw', 'true']).status === 0;
  // As the packaged unit runs the daemon: CAP_NET_RAW ambient (when the test can grant it).
  const prefix = ambient ? ['setpriv', '--inh-caps', '+net_raw', '--ambient-caps', '+net_raw'] : [];

  test('no AWS_ variable and no ambient capability by default', async () => {
    const r = await runUnder(prefix, ['check', '--json', '-f', config(body(''))], AWS);
    assert.equal(r.code, 1, r.stderr);
    const d = details(r);
    assert.equal(d.env, 'exit status 1: aws=0 key=');
    assert.equal(d.caps, 'exit status 1: CapAmb:\t0000000000000000');
  });

  test('pass_aws_env: true hands the daemon\'s AWS_ variables on (and still no capability)', async () => {
    const r = await runUnder(prefix, ['check', '--json', '-f', config(body('pass_aws_env: true\n'))], AWS);
    assert.equal(r.code, 1, r.stderr);
    const d = details(r);
    assert.match(d.env ?? '', /^exit status 1: aws=[4-9]\d* key=AKIDNAMEDFILES$/);
    assert.equal(d.caps, 'exit status 1: CapAmb:\t0000000000000000');
  });

  test('pass_capabilities: true lets them inherit the daemon\'s ambient capabilities', { skip: !ambient && 'needs root and setpriv' }, async () => {
    const r = await runUnder(prefix, ['check', '--json', '-f', config(body('pass_capabilities: true\n'))], AWS);
    assert.equal(r.code, 1, r.stderr);
    const d = details(r);
    assert.equal(d.caps, 'exit status 1: CapAmb:\t0000000000002000');
    assert.equal(d.env, 'exit status 1: aws=0 key=');
  });

  test('the test really gave the daemon an ambient capability', { skip: !ambient && 'needs root and setpriv' }, () => {
    const out = execFileSync(prefix[0]!, [...prefix.slice(1), 'grep', 'CapAmb', '/proc/self/status'], { encoding: 'utf8' });
    assert.equal(out.trim(), 'CapAmb:\t0000000000002000');
  });
});

// The CLI as a user meets it: the built ./bin/awsnycast run as a child process.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, runCli } from './helpers/cli.js';

const EX = join(ROOT, 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'awsn-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A private copy of an example with mode 0600, so `run` does not refuse it whatever the umask of the checkout. */
function privateCopy(name: string): string {
  const dst = join(tmp, name);
  copyFileSync(join(EX, name), dst);
  chmodSync(dst, 0o600);
  return dst;
}

const noStackTrace = (s: string): void => assert.doesNotMatch(s, /\n\s+at .*\(.*:\d+:\d+\)/);

describe('awsnycast validate', () => {
  for (const spelling of [['-f', 'F'], ['--f', 'F'], ['-f=F'], ['--config', 'F'], ['--config=F']]) {
    test(`a valid file passes with ${spelling.join(' ')}`, async () => {
      const file = join(EX, 'compat-nat-ha.yaml');
      const r = await runCli(['validate', ...spelling.map((s) => s.replace('F', file))]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /valid: 2 health checks, 1 remote health check, 2 route tables, 4 routes; poll every 60 s/);
    });
  }

  test('an invalid file exits 1 with every located error and a count', async () => {
    const r = await runCli(['validate', '-f', 'examples/invalid/bad-values.yaml']);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 8);
    assert.equal(lines[0], 'examples/invalid/bad-values.yaml:9:34: healthchecks.a.destination: "db.internal" is not an IP address');
    assert.equal(lines[7], 'examples/invalid/bad-values.yaml: 7 errors');
    assert.equal(r.stdout, '');
    noStackTrace(r.stderr);
  });

  test('a missing file exits 1 with the reason and no stack trace', async () => {
    const r = await runCli(['validate', '-f', join(tmp, 'nope.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.yaml:0:0: cannot read the config file: no such file/);
    noStackTrace(r.stderr);
  });

  test('a group-writable file is valid but warned about', async () => {
    const file = privateCopy('compat-minimal.yaml');
    chmodSync(file, 0o664);
    const r = await runCli(['validate', '-f', file]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: .*writable by group or others \(mode 0664\)/);
  });
});

describe('awsnycast run (the default command)', () => {
  test('the original command line without a subcommand starts the daemon, which says when metadata is unreachable', async () => {
    const file = privateCopy('compat-minimal.yaml');
    const r = await runCli(['-f', file, '-noop', '-debug', '-startup-timeout=1', '-log-format=json'], {
      env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /instance metadata is unreachable at http:\/\/127\.0\.0\.1:9 \(from AWS_EC2_METADATA_SERVICE_ENDPOINT\)/);
    noStackTrace(r.stderr);
  });

  test('a group-writable config is refused', async () => {
    const file = privateCopy('compat-every-finder.yaml');
    copyFileSync(join(EX, 'ca.pem'), join(tmp, 'ca.pem'));
    chmodSync(file, 0o666);
    const r = await runCli(['run', '--f', file, '--oneshot']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing .*writable by group or others \(mode 0666\).*chmod go-w/);
  });

  test('an invalid config exits 1 with its errors', async () => {
    const r = await runCli(['run', '-f=examples/invalid/typo-top-level.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /typo-top-level\.yaml:3:1: healthcheck: unknown key "healthcheck" \(did you mean "healthchecks"\?\)/);
  });

  test('-version and --version print the version', async () => {
    for (const v of ['-version', '--version']) {
      const r = await runCli([v]);
      assert.equal(r.code, 0);
      // bin/awsnycast runs under the first node on PATH: the runner's own (Node 20, or 24 in the second run).
      assert.match(r.stdout, new RegExp(`^awsnycast \\d+\\.\\d+\\.\\d+ \\(node ${process.version.replaceAll('.', '\\.')},`));
    }
  });
});

describe('usage errors and help', () => {
  test('an unknown flag exits 2 with a one-line hint', async () => {
    const r = await runCli(['-nop']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /flag provided but not defined: -nop \(did you mean -noop\?\)\. Run 'awsnycast run --help' for usage\./);
  });

  test('a flag missing its argument exits 2', async () => {
    const r = await runCli(['validate', '-f']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /flag needs an argument: -f/);
  });

  test('an unknown command exits 2 with a suggestion', async () => {
    const r = await runCli(['valdate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "valdate" \(did you mean "validate"\?\)/);
  });

  test('-h lists the commands and exits 0', async () => {
    const r = await runCli(['-h']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Commands:\n {2}run /);
    assert.match(r.stdout, / {2}validate /);
  });

  for (const cmd of ['run', 'validate', 'version', 'doctor']) {
    test(`${cmd} --help shows its usage and exits 0`, async () => {
      const r = await runCli([cmd, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: awsnycast ${cmd}`));
    });
  }

  test('the version command prints the package version', async () => {
    const r = await runCli(['version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^awsnycast 0\.1\.0 /);
  });
});

// The rule sshd (StrictModes) and sudo apply to files that run commands as root: the file and every
// directory above it owned by root or by the daemon's user, none writable by group or others (a
// sticky directory such as /tmp is fine for an entry root owns). Changing owners needs root.
describe('config trust: who may change the file that runs hooks as this user', { skip: process.getuid?.() !== 0 ? 'needs root (chown)' : false }, () => {
  const NOBODY = 65534;
  const fresh = (name: string): string => {
    const d = join(tmp, name);
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    return d;
  };
  const copyInto = (dir: string): string => {
    const f = join(dir, 'c.yaml');
    copyFileSync(join(EX, 'compat-minimal.yaml'), f);
    chmodSync(f, 0o644);
    return f;
  };
  const refusedByRun = async (file: string, why: RegExp): Promise<void> => {
    const r = await runCli(['run', '-f', file, '-oneshot'], { env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /CFG_UNSAFE|refusing/);
    assert.match(r.stderr, why);
    noStackTrace(r.stderr);
  };

  test('a config owned by another user (mode 0644) is refused by run and check, and validate warns', async () => {
    const f = copyInto(fresh('other-owner'));
    chownSync(f, NOBODY, NOBODY);
    await refusedByRun(f, /owned by uid 65534/);
    const check = await runCli(['check', '-f', f]);
    assert.equal(check.code, 1);
    assert.match(check.stderr, /refusing .*owned by uid 65534/);
    const v = await runCli(['validate', '-f', f]);
    assert.equal(v.code, 0);
    assert.match(v.stderr, /warning: .*owned by uid 65534/);
  });

  test('a root-owned config in a directory others can write (no sticky bit) is refused: it could be swapped', async () => {
    const d = fresh('open-dir');
    const f = copyInto(d);
    chmodSync(d, 0o777);
    await refusedByRun(f, /directory .*open-dir is writable by group or others \(mode 0777\)/);
  });

  test('a symlink is judged by its target: a link to a file another user owns is refused', async () => {
    const target = copyInto(fresh('link-target'));
    chownSync(target, NOBODY, NOBODY);
    const link = join(fresh('link-dir'), 'awsnycast.yaml');
    symlinkSync(target, link);
    await refusedByRun(link, /owned by uid 65534/);
  });

  test('a root-owned config under a sticky world-writable directory (like /tmp) is accepted', async () => {
    const f = copyInto(fresh('sticky-ok'));
    const r = await runCli(['validate', '-f', f]);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /warning/);
  });
});

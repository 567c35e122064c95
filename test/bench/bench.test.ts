// The benchmark harness, lightly: a --quick run must produce every scenario's
// rows with numbers that parse. Speed is never asserted here (the machine is
// shared); docs/benchmarks.md reports the figures against their goals.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const RUN = resolve(import.meta.dirname, '../../bench/run.js');
const dir = mkdtempSync(join(tmpdir(), 'awsn-bench-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  quick: boolean;
  machine: { cpus: number; loadavgStart: number[]; loadavgEnd: number[] };
  options: { latencyMs: number; daemonCmd: string };
  figures: { scenario: string; figure: string; unit: string; stat: { n: number; median: number; p95: number } }[];
  errors: { scenario: string; error: string }[];
}

// Each scenario with a piece of every figure it must report.
const EXPECTED: Record<string, string[]> = {
  'failover-remote': ['fault → route at backup', 'without a takeover', 'false failovers'],
  'failover-terminated': ['poll_time 1 s', 'poll_time 2 s'],
  race: ['terminate → last route change', 'mutating calls per failover', 'one active owner'],
  'api-cost': ['DescribeRouteTables per minute', 'DescribeRouteTables per pass', 'DescribeInstanceStatus per pass', 'DescribeNetworkInterfaces per pass', 'mutating calls', 'projected'],
  'plan-scale': ['time per pass', 'heap allocated per pass', 'heap held by the input'],
  footprint: ['RSS', 'RssAnon', 'CPU share of one core, window average', "first pass's read"],
  fleet: ['steady state', 'describe budget', 'one second of the steady window', 'launch → every daemon', 'describe calls until then', 'busiest second', 'projected', 'mutating calls'],
};

/**
 * About 100 s, and what it checks is the harness and the report, not the Node that runs them (the
 * daemon under Node 24 is covered by every e2e test): once, in the first pass of scripts/test.
 */
const SECOND_PASS = process.execPath.includes('packaging/node24') ? 'run once, in the first pass of scripts/test' : false;

test('npm run bench -- --quick prints and saves every scenario row', { timeout: 240_000, skip: SECOND_PASS }, async () => {
  const out = join(dir, 'quick.json');
  const child = spawn(process.execPath, [RUN, '--quick', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
  assert.equal(code, 0, `bench --quick exited ${code}\n${stderr.slice(-4000)}`);

  const r = JSON.parse(readFileSync(out, 'utf8')) as Result;
  assert.equal(r.quick, true);
  assert.deepEqual(r.errors, []);
  assert.ok(r.machine.cpus > 0 && r.machine.loadavgStart.length === 3 && r.machine.loadavgEnd.length === 3);
  assert.equal(r.options.latencyMs, 80);
  assert.match(r.options.daemonCmd, /\{config\}/);

  const rows = stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| scenario'));
  for (const [scenario, pieces] of Object.entries(EXPECTED)) {
    for (const piece of pieces) {
      const f = r.figures.find((x) => x.scenario === scenario && x.figure.includes(piece));
      assert.ok(f !== undefined, `${scenario}: no figure with "${piece}" in ${JSON.stringify(r.figures.map((x) => x.figure))}`);
      assert.ok(f.stat.n >= 1 && Number.isFinite(f.stat.median) && Number.isFinite(f.stat.p95), `${scenario} / ${f.figure}: ${JSON.stringify(f.stat)}`);
      const row = rows.find((l) => l.startsWith(`| ${scenario} | ${f.figure} |`));
      assert.ok(row !== undefined, `no table row for ${scenario} / ${f.figure}`);
      const cells = row.split('|').map((c) => c.trim());
      // | scenario | figure | unit | median | p95 | n | goal | met |
      assert.ok(Number.isFinite(Number(cells[4])) && Number.isFinite(Number(cells[5])), `numbers in ${row}`);
    }
  }
});

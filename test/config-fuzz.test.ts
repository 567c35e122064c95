// Seeded, bounded fuzzing of the config loader: mutations of the example
// configs must end in a valid config or in located CFG_* problems, never in an
// exception, a stack trace, unbounded output or unbounded time. Most cases run
// in-process; a sample runs through the real CLI (`validate -f FILE`).
// Reproduce a run with AWSNYCAST_FUZZ_SEED=<seed>; the seed is in every case name.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { formatProblems, loadConfigFile, loadConfigText } from '../src/config/index.js';
import { ROOT, runCli } from './helpers/cli.js';
import { mulberry32 } from '../src/prng.js';

const SEED = Number(process.env.AWSNYCAST_FUZZ_SEED ?? 20_240_917);
const IN_PROCESS = 300;
const VIA_CLI = 12;
const MAX_OUTPUT = 64 * 1024;
const STACK = /\n\s+at .*:\d+:\d+/;

const rng = mulberry32;

const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(ROOT, 'examples', f), 'utf8') }));

const SCALARS = ['[]', '{}', '-1', '0', 'true', '"x"', '~', '1e999', '0x10', 'yes', '"10.0.0.1/33"', '[a, b]', '{type: main}', '*nowhere', '&anchor', '!!binary aGk=', '"${nope}"', "'a''b'", '.nan', '9999999999999999999'];
const BYTES = ['\n', '\t', ' ', '\0', '\r', '"', "'", '[', ']', '{', '}', ':', '- ', '#', '&', '*', '!', '|', '>', '%', '@', '`', '\u2028', '\uFFFD', 'é'];

type Mutator = (text: string, r: () => number) => string;
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const lineIndex = (lines: string[], r: () => number): number => Math.floor(r() * lines.length);
const onLines = (f: (lines: string[], i: number, r: () => number) => void): Mutator => (text, r) => {
  const lines = text.split('\n');
  f(lines, lineIndex(lines, r), r);
  return lines.join('\n');
};

const MUTATORS: Record<string, Mutator> = {
  'delete a line': onLines((l, i) => l.splice(i, 1)),
  'duplicate a line': onLines((l, i) => l.splice(i, 0, l[i] ?? '')),
  'shift indentation': onLines((l, i, r) => {
    const d = Math.floor(r() * 7) - 3;
    l[i] = d > 0 ? ' '.repeat(d) + (l[i] ?? '') : (l[i] ?? '').replace(new RegExp(`^ {0,${-d}}`), '');
  }),
  'wrong scalar type': onLines((l, i, r) => {
    l[i] = (l[i] ?? '').replace(/:\s+\S.*$/, `: ${pick(SCALARS, r)}`).replace(/^(\s*- )\S.*$/, `$1${pick(SCALARS, r)}`);
  }),
  truncate: (t, r) => t.slice(0, Math.floor(r() * t.length)),
  'random bytes': (t, r) => {
    let out = t;
    for (let n = 1 + Math.floor(r() * 8); n > 0; n--) {
      const at = Math.floor(r() * (out.length + 1));
      out = out.slice(0, at) + (r() < 0.7 ? pick(BYTES, r) : String.fromCharCode(Math.floor(r() * 0x3000))) + out.slice(at + (r() < 0.3 ? 1 : 0));
    }
    return out;
  },
  'alias bomb': (t, r) => {
    const width = 5 + Math.floor(r() * 10);
    const lines = ['bomb0: &b0 [lol, lol, lol]'];
    for (let i = 1; i < 6 + Math.floor(r() * 10); i++) lines.push(`bomb${i}: &b${i} [${Array(width).fill(`*b${i - 1}`).join(', ')}]`);
    return `${lines.join('\n')}\n${t}`;
  },
  'wide alias': (t, r) => `wide: &w [${Array(2000 + Math.floor(r() * 3000)).fill('1').join(',')}]\nuses: [${Array(60).fill('*w').join(',')}]\n${t}`,
  'deep flow nesting': (t, r) => {
    const n = 50 + Math.floor(r() * 5000);
    return `${t}\ndeep: ${'['.repeat(n)}${r() < 0.5 ? ']'.repeat(n) : ''}\n`;
  },
  'deep block nesting': (t, r) => `${t}\ndeep:\n${Array.from({ length: 40 + Math.floor(r() * 60) }, (_, i) => `${' '.repeat(i + 1)}${r() < 0.5 ? 'k:' : '-'}`).join('\n')} 1\n`,
  'huge file': (t, r) => t + `# ${'x'.repeat(70)}\n`.repeat(15_000 + Math.floor(r() * 2000)),
  'many errors': (t, r) => {
    const n = 100 + Math.floor(r() * 500);
    const routes = Array.from({ length: n }, (_, i) => `      - {cidr: 10.0.${i % 256}.1/33, bogus${i}: 1}`).join('\n');
    return `${t}\nroute_tables:\n  many:\n    find: {type: main}\n    manage_routes:\n${routes}\n`;
  },
  'a huge key': (t, r) => `${'k'.repeat(10_000 + Math.floor(r() * 100_000))}: 1\n${t}`,
};

interface FuzzCase {
  readonly name: string;
  readonly text: string;
}

function fuzzCases(seed: number, count: number): FuzzCase[] {
  const r = rng(seed);
  const names = Object.keys(MUTATORS);
  return Array.from({ length: count }, (_, i) => {
    const base = pick(EXAMPLES, r);
    let text = base.text;
    const applied: string[] = [];
    // One to three mutations, applied in turn.
    for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
      const m = pick(names, r);
      applied.push(m);
      text = MUTATORS[m]!(text, r);
    }
    return { name: `#${i} ${base.name}: ${applied.join(' + ')} (seed ${seed})`, text };
  });
}

function loaderOutput(text: string, file: string): string {
  const r = loadConfigText(text, file);
  if (r.ok) return 'ok';
  assert.ok(r.problems.length > 0);
  for (const p of r.problems) assert.match(p.code, /^CFG_[A-Z_]+$/);
  return formatProblems(r.problems).join('\n');
}

describe('config fuzzing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'awsnycast-fuzz-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cases = fuzzCases(SEED, IN_PROCESS + VIA_CLI);

  test('the same seed makes the same cases', () => {
    const again = fuzzCases(SEED, IN_PROCESS + VIA_CLI);
    assert.deepEqual(again.map((c) => c.text), cases.map((c) => c.text));
    assert.notDeepEqual(fuzzCases(SEED + 1, 20).map((c) => c.text), cases.slice(0, 20).map((c) => c.text));
  });

  test(`${IN_PROCESS} mutated configs load in-process to a config or located problems, quickly and with bounded output (seed ${SEED})`, () => {
    const started = Date.now();
    for (const c of cases.slice(0, IN_PROCESS)) {
      const t0 = Date.now();
      let out: string;
      try {
        out = loaderOutput(c.text, join(dir, 'fuzz.yaml'));
      } catch (e) {
        assert.fail(`${c.name}: the loader threw: ${e instanceof Error ? e.stack : String(e)}`);
      }
      assert.ok(out.length > 0, c.name);
      assert.ok(out.length < MAX_OUTPUT, `${c.name}: ${out.length} bytes of problems`);
      assert.doesNotMatch(out, STACK, c.name);
      // Bounds that catch a blow-up (an alias bomb expanded, a quadratic pass), far above the normal
      // figures (300 cases in 5-7 s on the 2-core machine) so that a busy machine does not fail them.
      assert.ok(Date.now() - t0 < 10_000, `${c.name}: took ${Date.now() - t0} ms`);
    }
    assert.ok(Date.now() - started < 90_000, `in-process cases took ${Date.now() - started} ms`);
  });

  test(`${VIA_CLI} mutated configs through \`awsnycast validate -f FILE\` exit 0 or 1 with a message and no stack trace (seed ${SEED})`, async () => {
    for (const [i, c] of cases.slice(IN_PROCESS).entries()) {
      const file = join(dir, `cli-${i}.yaml`);
      writeFileSync(file, c.text, { mode: 0o600 });
      const t0 = Date.now();
      const r = await runCli(['validate', '-f', file], { timeoutMs: 10_000 });
      const all = r.stdout + r.stderr;
      assert.ok(r.code === 0 || r.code === 1, `${c.name}: exit ${r.code}\n${all.slice(0, 2000)}`);
      assert.ok(all.trim().length > 0, c.name);
      assert.doesNotMatch(all, STACK, c.name);
      assert.doesNotMatch(all, /internal error/, c.name);
      assert.ok(all.length < MAX_OUTPUT, `${c.name}: ${all.length} bytes`);
      assert.ok(Date.now() - t0 < 10_000, c.name);
      // The CLI and the loader agree.
      assert.equal(r.code === 0, loadConfigFile(file).ok, c.name);
    }
  });

  test('the CLI prints 50 of 5,000 errors, then "... and 4950 more"', async () => {
    const routes = Array.from({ length: 5000 }, (_, i) => `      - {cidr: 10.${i >> 8}.${i & 255}.1/33}`).join('\n');
    const file = join(dir, 'many.yaml');
    writeFileSync(file, `routetables:\n  t:\n    find: {type: main}\n    manage_routes:\n${routes}\n`, { mode: 0o600 });
    const r = await runCli(['validate', '-f', file]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 52, r.stderr.slice(0, 500));
    assert.equal(lines[50], '... and 4950 more');
    assert.match(lines[51]!, /: 5000 errors$/);
    assert.ok(r.stderr.length < MAX_OUTPUT);
  });
});

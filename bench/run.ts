// `npm run bench` — the benchmark suite (docs/benchmarks.md).
//
//   node dist/bench/run.js [--quick] [--latency MS] [--trials N] [--only a,b]
//                          [--daemon-cmd 'TEMPLATE with {config}'] [--out FILE] [--keep]
//
// A full run writes bench/results/latest.json; --quick writes only with --out.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, Scratch, killAll, killAllNow } from '../test/helpers/harness.js';
import { DEFAULT_DAEMON_CMD } from './harness.js';
import type { Ctx, Figure } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';

interface Args {
  quick: boolean;
  latencyMs: number;
  trials: number | null;
  only: string[] | null;
  daemonCmd: string;
  out: string | null;
  keep: boolean;
}

const USAGE = `usage: node dist/bench/run.js [--quick] [--latency MS] [--trials N] [--only ${SCENARIOS.map((s) => s.name).join(',')}]
                              [--daemon-cmd 'TEMPLATE with {config}'] [--out FILE] [--keep]`;

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { quick: false, latencyMs: 80, trials: null, only: null, daemonCmd: DEFAULT_DAEMON_CMD, out: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const [flag, inline] = k.includes('=') ? [k.slice(0, k.indexOf('=')), k.slice(k.indexOf('=') + 1)] : [k, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const num = (): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a number ≥ 0\n${USAGE}`);
      return v;
    };
    switch (flag.replace(/^--?/, '')) {
      case 'quick':
        a.quick = true;
        break;
      case 'latency':
        a.latencyMs = num();
        break;
      case 'trials':
        a.trials = Math.max(1, Math.round(num()));
        break;
      case 'only':
        a.only = value().split(',').filter((s) => s !== '');
        for (const n of a.only) if (!SCENARIOS.some((s) => s.name === n)) throw new Error(`unknown scenario ${n}\n${USAGE}`);
        break;
      case 'daemon-cmd':
        a.daemonCmd = value();
        if (!a.daemonCmd.includes('{config}')) throw new Error(`--daemon-cmd must contain {config}\n${USAGE}`);
        break;
      case 'out':
        a.out = value();
        break;
      case 'keep':
        a.keep = true;
        break;
      case 'h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${k}\n${USAGE}`);
    }
  }
  return a;
}

const fmt = (v: number): string => {
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 100) return String(Math.round(v));
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

export function table(figures: readonly Figure[]): string {
  const rows = [
    '| scenario | figure | unit | median | p95 | n | goal | met |',
    '|---|---|---|---:|---:|---:|---|---|',
    ...figures.map((f) =>
      `| ${f.scenario} | ${f.figure} | ${f.unit} | ${fmt(f.stat.median)} | ${fmt(f.stat.p95)} | ${f.stat.n} | ${f.goal ?? ''} | ${f.met === null ? '' : f.met ? 'yes' : '**no**'} |`,
    ),
  ];
  return `${rows.join('\n')}\n`;
}

function machine(): { cpuModel: string; cpus: number; totalMemMB: number; platform: string; node: string; hostname: string } {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    totalMemMB: Math.round(os.totalmem() / 1048576),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    hostname: os.hostname(),
  };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  const scratch = new Scratch('awsn-bench-');
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`bench: ${sig}, stopping every process it started\n`);
    void killAll().finally(() => {
      if (!args.keep) scratch.remove();
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllNow);

  const ctx: Ctx = {
    quick: args.quick,
    latencyMs: args.latencyMs,
    daemonCmd: args.daemonCmd,
    trials: args.trials ?? (args.quick ? 2 : 10),
    scratch,
    log: (m) => process.stderr.write(`${m}\n`),
  };
  const started = new Date();
  const loadStart = os.loadavg();
  const figures: Figure[] = [];
  const errors: { scenario: string; error: string }[] = [];
  const durations: Record<string, number> = {};
  process.stderr.write(`bench: ${args.quick ? 'quick' : 'full'} run, API latency ${args.latencyMs} ms, ${ctx.trials} trials, daemon: ${args.daemonCmd}\nbench: scratch folder ${scratch.dir}\n`);
  for (const s of SCENARIOS) {
    if (args.only !== null && !args.only.includes(s.name)) continue;
    const t = Date.now();
    process.stderr.write(`bench: ${s.name} (load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})\n`);
    try {
      figures.push(...(await s.run(ctx)));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      errors.push({ scenario: s.name, error: msg });
      process.stderr.write(`bench: ${s.name} failed: ${msg}\n`);
      await killAll();
    }
    durations[s.name] = Math.round((Date.now() - t) / 1000);
    process.stderr.write(`bench: ${s.name} done in ${durations[s.name]} s\n`);
  }
  await killAll();
  const result = {
    quick: args.quick,
    started: started.toISOString(),
    durationSec: Math.round((Date.now() - started.getTime()) / 1000),
    machine: { ...machine(), loadavgStart: loadStart, loadavgEnd: os.loadavg() },
    options: { latencyMs: args.latencyMs, trials: ctx.trials, daemonCmd: args.daemonCmd },
    scenarioSeconds: durations,
    figures,
    errors,
  };
  process.stdout.write(table(figures));
  if (errors.length > 0) process.stdout.write(`\nFailed scenarios: ${errors.map((e) => `${e.scenario} (${e.error.split('\n')[0]})`).join('; ')}\n`);
  process.stdout.write(
    `\n${result.machine.cpus} × ${String(result.machine.cpuModel)}, load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} at start, ${result.machine.loadavgEnd.map((x) => x.toFixed(2)).join(' ')} at end; ${result.durationSec} s\n`,
  );
  const out = args.out ?? (args.quick || args.only !== null ? null : join(ROOT, 'bench/results/latest.json'));
  if (out !== null) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`bench: wrote ${out}\n`);
  }
  if (args.keep) process.stderr.write(`bench: logs kept in ${scratch.dir}\n`);
  else scratch.remove();
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    await killAll();
    process.exit(1);
  },
);

// `npm run soak` — the chaos soak (docs/reliability.md).
//
//   node dist/bench/soak/run.js [--quick] [--seed N] [--events N] [--duration S]
//        [--nat-azs 1-3] [--anycast 0|2|3] [--permanent N] [--out FILE] [--keep]
//        [--schedule-only]
//
// A full run writes bench/results/soak.json; --quick writes only with --out.
// Exit 0 when the invariants that cannot flake hold (no unmanaged write, no
// crash or stack trace, convergence), 1 otherwise, 2 on a usage error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, killAll, killAllNow } from '../../test/helpers/harness.js';
import { buildFleet } from './fleet.js';
import { buildReport, markdown } from './report.js';
import { runSoak, scheduleOptions } from './runner.js';
import { generateSchedule } from './schedule.js';

interface Args {
  quick: boolean;
  seed: number;
  events: number | null;
  durationS: number | null;
  natAzs: number | null;
  anycast: number | null;
  permanent: number | null;
  out: string | null;
  keep: boolean;
  scheduleOnly: boolean;
}

const USAGE = 'usage: node dist/bench/soak/run.js [--quick] [--seed N] [--events N] [--duration S] [--nat-azs 1-3] [--anycast 0|2|3] [--permanent N] [--out FILE] [--keep] [--schedule-only]';

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { quick: false, seed: 1, events: null, durationS: null, natAzs: null, anycast: null, permanent: null, out: null, keep: false, scheduleOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const [flag, inline] = k.includes('=') ? [k.slice(0, k.indexOf('=')), k.slice(k.indexOf('=') + 1)] : [k, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (lo: number, hi: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${flag} needs a whole number from ${lo} to ${hi}`);
      return v;
    };
    switch (flag.replace(/^--?/, '')) {
      case 'quick': a.quick = true; break;
      case 'seed': a.seed = int(0, 2 ** 32 - 1); break;
      case 'events': a.events = int(1, 100_000); break;
      case 'duration': a.durationS = int(10, 86_400); break;
      case 'nat-azs': a.natAzs = int(1, 3); break;
      case 'anycast': a.anycast = int(0, 3); break;
      case 'permanent': a.permanent = int(0, 10); break;
      case 'out': a.out = value(); break;
      case 'keep': a.keep = true; break;
      case 'schedule-only': a.scheduleOnly = true; break;
      default: throw new Error(`unknown option ${k}`);
    }
  }
  if (a.anycast === 1) throw new Error('--anycast needs 0, 2 or 3 instances');
  return a;
}

async function main(): Promise<number> {
  let a: Args;
  try {
    a = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`soak: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  // Quick: one NAT AZ (a pair) and the anycast trio, 30 faults in 30 s, nothing permanent.
  const shape = { natAzs: a.natAzs ?? (a.quick ? 1 : 3), anycast: a.anycast ?? 3 };
  const events = a.events ?? (a.quick ? 30 : 1000);
  const durationMs = (a.durationS ?? (a.quick ? 30 : 600)) * 1000;
  const permanent = a.permanent ?? (a.quick ? 0 : 1);
  if (a.scheduleOnly) {
    process.stdout.write(JSON.stringify(generateSchedule(a.seed, scheduleOptions(buildFleet(shape), { events, durationMs, permanent }))) + '\n');
    return 0;
  }
  const log = (m: string): void => void process.stderr.write(`${m}\n`);
  const raw = await runSoak({ seed: a.seed, events, durationMs, shape, permanent, keep: a.keep, log });
  const report = buildReport(raw);
  process.stdout.write(`${markdown(report)}\n`);
  for (const v of report.violations) log(`gap violation: ${v.route} ${v.why} ${Math.round(v.start)}–${Math.round(v.end)} ms, counted ${Math.round(v.countedMs)} ms; ${v.context.join('; ')}`);
  for (const c of report.unjustified) log(`unjustified change: ${c.route} seq ${c.seq} at ${Math.round(c.t)} ms ${c.from} → ${c.to}; ${c.context.join('; ')}`);
  for (const x of [...report.unmanagedWrites, ...report.crashes, ...report.stackTraces, ...report.driverErrors]) log(x);
  for (const p of report.convergence.plans) if (!p.ok) log(`not converged: ${p.instance} ${p.error ?? JSON.stringify(p.pending)}`);
  const out = a.out ?? (a.quick ? null : join(ROOT, 'bench/results/soak.json'));
  if (out !== null) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ when: new Date().toISOString(), node: process.version, report }, null, 2) + '\n');
    log(`soak: report written to ${out}`);
  }
  if (a.keep) log(`soak: scratch kept in ${raw.scratchDir}`);
  return report.stableOk ? 0 : 1;
}

process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});
main()
  .then(async (code) => {
    await killAll();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    process.stderr.write(`soak: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    await killAll();
    process.exit(1);
  });

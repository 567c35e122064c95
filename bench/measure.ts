// What the benchmarks measure with besides the simulator: CPU and memory of a
// process group from Linux's /proc, and the statistics every figure reports.
import { readdirSync, readFileSync } from 'node:fs';

// ---------------------------------------------------------------- /proc

const CLK_TCK = 100;

export interface GroupSample {
  /** CPU seconds (user + system) of the live processes in the group. */
  cpuSec: number;
  rssBytes: number;
  /** The anonymous part of the RSS (heap, stacks): what the processes cost beyond pages of their executables and libraries, which the kernel can drop and read again. */
  anonBytes: number;
  processes: number;
}

/** CPU and RSS summed over every process whose process group is `pgid` (Linux /proc). */
export function sampleGroup(pgid: number): GroupSample {
  let cpu = 0;
  let rss = 0;
  let anonKb = 0;
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] = state (field 3), so field k is f[k - 3]
      if (Number(f[2]) !== pgid) continue;
      cpu += (Number(f[11]) + Number(f[12])) / CLK_TCK;
      rss += Number(f[21]) * 4096;
      const anon = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${e}/status`, 'utf8'));
      if (anon !== null) anonKb += Number(anon[1]);
      n++;
    } catch {
      // exited meanwhile
    }
  }
  return { cpuSec: cpu, rssBytes: rss, anonBytes: anonKb * 1024, processes: n };
}

// ---------------------------------------------------------------- statistics

export interface Stat {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function stats(values: readonly number[]): Stat {
  if (values.length === 0) return { n: 0, median: NaN, p95: NaN, min: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => {
    // linear interpolation between closest ranks
    const pos = (s.length - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
  };
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0]!, max: s[s.length - 1]! };
}

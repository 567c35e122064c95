// What a benchmark scenario is: it runs against a context (options, scratch
// folder, log) and returns figures, each a statistic with an optional goal;
// run.ts prints and saves them.
import type { Scratch } from '../test/helpers/harness.js';
import type { Stat } from './measure.js';
import { stats } from './measure.js';

export interface Figure {
  scenario: string;
  figure: string;
  unit: string;
  stat: Stat;
  goal?: string;
  /** Whether the goal is met (null: no goal for this figure). */
  met: boolean | null;
  note?: string;
}

export interface Ctx {
  quick: boolean;
  latencyMs: number;
  daemonCmd: string;
  /** Trials for latency figures (≥ 10 in a full run). */
  trials: number;
  scratch: Scratch;
  log: (msg: string) => void;
}

export interface Scenario {
  name: string;
  run: (ctx: Ctx) => Promise<Figure[]>;
}

/** A figure from its values: their statistics, and the goal judged on them (none when there are no values). */
export const fig = (scenario: string, figure: string, unit: string, values: readonly number[], goal?: { text: string; ok: (s: Stat) => boolean }, note?: string): Figure => {
  const s = stats(values);
  return { scenario, figure, unit, stat: s, ...(goal !== undefined ? { goal: goal.text } : {}), met: goal === undefined || s.n === 0 ? null : goal.ok(s), ...(note !== undefined ? { note } : {}) };
};

/** A random whole number of milliseconds in [0, ms). */
export const rand = (ms: number): number => Math.floor(Math.random() * ms);

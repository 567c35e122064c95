// The health state machine of SPEC Part A, as a pure reducer: no clock, no
// I/O. A check starts unhealthy and undecided; `rise` consecutive passes make
// it healthy, `fall` consecutive failures make it unhealthy; it is decided at
// its first change, or once it has run `rise` times without becoming healthy.

export interface CheckState {
  readonly healthy: boolean;
  readonly decided: boolean;
  /** Consecutive passes ending with the latest run. */
  readonly passes: number;
  /** Consecutive failures ending with the latest run. */
  readonly fails: number;
  /** Runs so far. */
  readonly runs: number;
}

export interface Thresholds {
  readonly rise: number;
  readonly fall: number;
}

export interface Step {
  readonly state: CheckState;
  /** Set when `healthy` flipped on this run. */
  readonly transition?: { readonly from: HealthWord; readonly to: HealthWord };
  /** `decided` became true on this run (with or without a transition). */
  readonly decidedNow: boolean;
}

export type HealthWord = 'healthy' | 'unhealthy';

export const INITIAL_STATE: CheckState = Object.freeze({ healthy: false, decided: false, passes: 0, fails: 0, runs: 0 });

export const word = (healthy: boolean): HealthWord => (healthy ? 'healthy' : 'unhealthy');

export function step(state: CheckState, passed: boolean, t: Thresholds): Step {
  const runs = state.runs + 1;
  const passes = passed ? state.passes + 1 : 0;
  const fails = passed ? 0 : state.fails + 1;
  let healthy = state.healthy;
  if (!healthy && passes >= t.rise) healthy = true;
  else if (healthy && fails >= t.fall) healthy = false;
  const flipped = healthy !== state.healthy;
  const decided = state.decided || flipped || runs >= t.rise;
  const next: CheckState = Object.freeze({ healthy, decided, passes, fails, runs });
  return {
    state: next,
    ...(flipped ? { transition: { from: word(state.healthy), to: word(healthy) } } : {}),
    decidedNow: decided && !state.decided,
  };
}

/** Runs a sequence of results from the initial state; handy for tests and replay. */
export function replay(results: readonly boolean[], t: Thresholds, from: CheckState = INITIAL_STATE): CheckState {
  return results.reduce((s, r) => step(s, r, t).state, from);
}

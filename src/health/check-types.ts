// The vocabulary of a running check: its snapshot, the events it emits, its
// options and errors. runner.ts runs checks; remote-pool.ts runs one per owner.
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { CheckSpec } from '../config/index.js';
import type { RunArgvResult } from '../hooks/run-argv.js';
import type { HookOptions } from './hooks.js';
import type { Logger } from './logger.js';
import type { ProbeOptions } from './probes/index.js';
import type { Probe, ProbeResult } from './result.js';
import type { CheckState, HealthWord } from './state.js';

export interface ResultRecord extends ProbeResult {
  /** Wall-clock time of the verdict, ISO 8601. */
  readonly at: string;
}

export interface CheckSnapshot {
  readonly name: string;
  readonly type: CheckSpec['type'];
  readonly destination: string;
  readonly state: HealthWord;
  readonly healthy: boolean;
  readonly decided: boolean;
  readonly passes: number;
  readonly fails: number;
  readonly runs: number;
  /** A probe is in flight right now. */
  readonly running: boolean;
  readonly last?: ResultRecord;
  /** Oldest first, at most `history` entries. */
  readonly history: readonly ResultRecord[];
}

/** Emitted when `healthy` flips (`transition`) or `decided` becomes true (`change` covers both). */
export interface ChangeEvent {
  readonly name: string;
  readonly destination: string;
  readonly from: HealthWord;
  readonly to: HealthWord;
  readonly healthy: boolean;
  readonly decided: boolean;
  /** true when healthy flipped; false when the check only became decided. */
  readonly transition: boolean;
  readonly result: ResultRecord;
}

export interface ResultEvent {
  readonly name: string;
  readonly destination: string;
  readonly result: ResultRecord;
  readonly state: CheckState;
}

/** A hook finished (or was killed, or could not start). */
export interface HookDoneEvent {
  readonly name: string;
  readonly destination: string;
  readonly hook: 'run_on_healthy' | 'run_on_unhealthy';
  readonly result: RunArgvResult;
}

export interface HealthCheckEvents {
  result: [ResultEvent];
  hook: [HookDoneEvent];
  transition: [ChangeEvent];
  change: [ChangeEvent];
}

export interface HealthCheckOptions {
  /** Required for remote templates; overrides the spec's destination otherwise. */
  readonly destination?: string;
  readonly logger?: Logger;
  /** Replaces the probe built from the spec (tests). */
  readonly probe?: Probe;
  readonly probeOptions?: ProbeOptions;
  /** How many recent results the snapshot keeps. Default 10. */
  readonly history?: number;
  /** Largest random delay before the first run, ms. Default min(every / 2, 500 ms). */
  readonly maxJitterMs?: number;
  /** Hook settings, or false to never run hooks (the `check` command). */
  readonly hooks?: HookOptions | false;
}

export class HealthCheckError extends Error {
  constructor(
    readonly code: 'HC_NO_DESTINATION' | 'HC_ALREADY_STARTED',
    message: string,
  ) {
    super(message);
  }
}

/** Lets `by` more (or fewer) listeners wait on `signal` without a leak warning. */
export function adjustMaxListeners(signal: AbortSignal, by: number): void {
  const n = getMaxListeners(signal);
  if (n !== 0) setMaxListeners(Math.max(1, n + by), signal);
}

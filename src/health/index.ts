// The health-check layer's public face.
export { HealthCheck, HealthCheckError } from './runner.js';
export type { ChangeEvent, CheckSnapshot, HealthCheckEvents, HealthCheckOptions, HookDoneEvent, ResultEvent, ResultRecord } from './runner.js';
export { runArgv } from '../hooks/run-argv.js';
export type { RunArgvOptions, RunArgvResult } from '../hooks/run-argv.js';
export { RemotePool, RemotePoolError } from './remote-pool.js';
export type { RemotePoolEvents, RemotePoolOptions } from './remote-pool.js';
export { INITIAL_STATE, step, replay, word } from './state.js';
export type { CheckState, HealthWord, Step, Thresholds } from './state.js';
export { HealthCode } from './result.js';
export type { Probe, ProbeResult } from './result.js';
export { createProbe } from './probes/index.js';
export type { ProbeOptions } from './probes/index.js';
export { hookEnv, runCheckHook } from './hooks.js';
export type { HookEvent, HookOptions } from './hooks.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { runUntilDecided, decisionBoundMs } from './until-decided.js';
export type { Target } from './until-decided.js';

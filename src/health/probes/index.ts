// Builds the probe for a check spec and a destination.
import type { CheckSpec } from '../../config/index.js';
import type { Probe } from '../result.js';
import { commandProbe } from './command.js';
import { httpProbe } from './http.js';
import { DEFAULT_PING_COMMAND, pingProbe } from './ping.js';
import { pingSessionProbe } from './ping-session.js';
import { tcpProbe } from './tcp.js';

export interface ProbeOptions {
  /** The ping command and any prefix (`['ip', 'netns', 'exec', 'ns1', 'ping']`). Default `['ping']`. */
  readonly pingCommand?: readonly string[];
  /** Largest HTTP body read when looking for `expect`. */
  readonly maxBodyBytes?: number;
  /**
   * `session`: one long-lived `ping -i` per check; `per-run`: one `ping -c 1` per run.
   * Default: session when `every` is under 2 s, where a process per run costs most.
   */
  readonly pingMode?: 'session' | 'per-run';
}

/** Below this interval ping checks use a long-lived process by default. */
export const PING_SESSION_BELOW_S = 2;

export function createProbe(spec: CheckSpec, destination: string, opts: ProbeOptions = {}): Probe {
  const timeoutMs = spec.timeout * 1000;
  const p = spec.probe;
  switch (p.kind) {
    case 'ping': {
      const command = opts.pingCommand ?? DEFAULT_PING_COMMAND;
      const mode = opts.pingMode ?? (spec.every < PING_SESSION_BELOW_S ? 'session' : 'per-run');
      return mode === 'session' ? pingSessionProbe(destination, spec.every * 1000, timeoutMs, command) : pingProbe(destination, timeoutMs, command);
    }
    case 'tcp':
      return tcpProbe(destination, p, timeoutMs);
    case 'http':
      return httpProbe(destination, p, timeoutMs, opts.maxBodyBytes);
    case 'command':
      return commandProbe(destination, p, timeoutMs, { AWSNYCAST_CHECK: spec.name }, spec.inherit);
  }
}

export { tcpProbe, httpProbe, pingProbe, pingSessionProbe, commandProbe };

// Builds the probe for a check spec and a destination.
import type { CheckSpec } from '../../config/index.js';
import type { Probe } from '../result.js';
import { commandProbe } from './command.js';
import { httpProbe } from './http.js';
import { DEFAULT_PING_COMMAND, pingProbe } from './ping.js';
import { tcpProbe } from './tcp.js';

export interface ProbeOptions {
  /** The ping command and any prefix (`['ip', 'netns', 'exec', 'ns1', 'ping']`). Default `['ping']`. */
  readonly pingCommand?: readonly string[];
  /** Largest HTTP body read when looking for `expect`. */
  readonly maxBodyBytes?: number;
}

export function createProbe(spec: CheckSpec, destination: string, opts: ProbeOptions = {}): Probe {
  const timeoutMs = spec.timeout * 1000;
  const p = spec.probe;
  switch (p.kind) {
    case 'ping':
      return pingProbe(destination, timeoutMs, opts.pingCommand ?? DEFAULT_PING_COMMAND);
    case 'tcp':
      return tcpProbe(destination, p, timeoutMs);
    case 'http':
      return httpProbe(destination, p, timeoutMs, opts.maxBodyBytes);
    case 'command':
      return commandProbe(destination, p, timeoutMs, { AWSNYCAST_CHECK: spec.name });
  }
}

export { tcpProbe, httpProbe, pingProbe, commandProbe };

// The simulator's start-up options: where it listens (loopback only) and
// which world it loads.
import { stringify } from 'yaml';
import { parseHostPort, isLoopbackIp } from '../net/address.js';
import type { SimulatorOptions } from './simulator-api.js';
import { loadWorldFile, parseWorld, type World } from './world.js';

export function parseListen(s: string | undefined, what: string): { host: string; port: number } {
  const text = s ?? '127.0.0.1:0';
  // A bare address (`127.0.0.2`, `::1`) takes any free port; IPv6 with a port is `[::1]:PORT`.
  const hp = parseHostPort(text, { defaultPort: 0 });
  if (hp === undefined) throw Object.assign(new Error(`${what}: expected HOST:PORT, got ${text}`), { code: 'SIM_LISTEN' });
  // An IP literal in 127.0.0.0/8 or ::1; host names (even `localhost`) are refused.
  if (!isLoopbackIp(hp.host))
    throw Object.assign(new Error(`${what}: the simulator listens on loopback only (127.0.0.0/8, ::1), got ${text}`), {
      code: 'SIM_LISTEN',
    });
  return hp;
}

export function resolveWorld(w: SimulatorOptions['world']): World {
  if (typeof w === 'string') return loadWorldFile(w);
  if ('yaml' in w && typeof w.yaml === 'string') return parseWorld(w.yaml);
  return parseWorld(stringify(w), '<world object>');
}

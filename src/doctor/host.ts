// doctor's reads of this machine (the IO behind host-checks.ts): its
// addresses, the forwarding sysctls from the real /proc (no override: the
// result is this machine's), a loopback ping as the daemon runs it, and the
// status socket's folder.
import { accessSync, constants, lstatSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import type { Config } from '../config/model.js';
import { DEFAULT_PING_COMMAND, pingArgv } from '../health/probes/ping.js';
import { runArgv } from '../hooks/run-argv.js';
import { FORWARDING_FILES, type LocalAddress, type PingRun, type SocketFacts } from './host-checks.js';

export function localAddresses(): LocalAddress[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).flatMap((a) => (a.cidr !== null ? [{ cidr: a.cidr, internal: a.internal }] : [])));
}

export function readForwarding(family: 4 | 6): { text: string } | { error: string } {
  try {
    return { text: readFileSync(FORWARDING_FILES[family], 'utf8') };
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

/** Does any check (local or remote template) of the config use ping, and with which address families? */
export function pingFamilies(config: Config): Set<4 | 6> {
  const out = new Set<4 | 6>();
  for (const c of [...Object.values(config.healthchecks), ...Object.values(config.remoteHealthchecks)]) {
    if (c.type !== 'ping') continue;
    out.add(c.destination?.includes(':') === true ? 6 : 4);
    if (c.destination === undefined) out.add(4); // a remote template: the owners' IPv4 addresses
  }
  return out;
}

/** One ping of the loopback address of each family, privileged as the daemon's ping probe is. */
export async function pingLoopback(families: ReadonlySet<4 | 6>): Promise<PingRun[]> {
  const runs: PingRun[] = [];
  for (const family of [...families].sort()) {
    const destination = family === 4 ? '127.0.0.1' : '::1';
    const r = await runArgv(pingArgv(destination, 1000, DEFAULT_PING_COMMAND), { timeoutMs: 2000, reapGroup: true, tailBytes: 1024, privileged: true });
    runs.push({ destination, exitCode: r.exitCode, timedOut: r.timedOut, stderr: r.stderrTail, ...(r.spawnError !== undefined ? { spawnError: r.spawnError } : {}) });
  }
  return runs;
}

const writable = (p: string): boolean => {
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const kind = (p: string): 'nothing' | 'socket' | 'other' | 'dir' => {
  try {
    const st = lstatSync(p);
    return st.isSocket() ? 'socket' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'nothing';
  }
};

export function socketFacts(path: string | undefined): SocketFacts | undefined {
  if (path === undefined) return undefined;
  const at = kind(path);
  const dir = dirname(path);
  if (kind(dir) === 'dir') return { path, at: at === 'dir' ? 'other' : at, dir: { exists: true, writable: writable(dir) } };
  let ancestor = dirname(dir);
  while (kind(ancestor) !== 'dir' && ancestor !== dirname(ancestor)) ancestor = dirname(ancestor);
  return { path, at: at === 'dir' ? 'other' : at, dir: { exists: false, ancestor, ancestorWritable: writable(ancestor) } };
}

// doctor's checks of this machine, judged from plain facts: IP forwarding for
// the routes that make the instance a router, ping's socket, the status
// socket's folder. Pure; host.ts gathers the facts.
import type { Config } from '../config/model.js';
import { cidrContains, parseCidr } from '../net/address.js';
import { fail, ok, warn, type CheckResult } from './report.js';

/** An address of this machine (os.networkInterfaces()). */
export interface LocalAddress {
  readonly cidr: string;
  /** Loopback: the kernel delivers the whole block locally (127.0.0.0/8 on lo). */
  readonly internal: boolean;
}

/** Is `cidr` one address this machine receives for itself (a service IP on a loopback alias, say)? */
export function isLocalDestination(cidr: string, local: readonly LocalAddress[]): boolean {
  const c = parseCidr(cidr);
  if (c === undefined || c.prefix !== (c.family === 4 ? 32 : 128)) return false;
  return local.some((l) => {
    const a = parseCidr(l.cidr);
    if (a === undefined || a.family !== c.family) return false;
    return l.internal ? cidrContains(a, c) : a.addr === c.addr;
  });
}

/**
 * The routes that make this instance a router: those that point at us
 * (`instance: SELF`, the default) and send traffic that is not for this
 * machine itself (a NAT default route, a range). An anycast /32 whose address
 * this machine holds is delivered locally and needs no forwarding.
 */
export function routerRoutes(config: Config, local: readonly LocalAddress[]): { v4: string[]; v6: string[] } {
  const out = { v4: new Set<string>(), v6: new Set<string>() };
  for (const t of config.routeTables)
    for (const r of t.routes) if (r.instance === 'SELF' && !isLocalDestination(r.cidr, local)) (r.family === 4 ? out.v4 : out.v6).add(r.cidr);
  return { v4: [...out.v4], v6: [...out.v6] };
}

const SYSCTL = { 4: { name: 'net.ipv4.ip_forward', id: 'ip-forward' }, 6: { name: 'net.ipv6.conf.all.forwarding', id: 'ipv6-forwarding' } } as const;
export const FORWARDING_FILES = { 4: '/proc/sys/net/ipv4/ip_forward', 6: '/proc/sys/net/ipv6/conf/all/forwarding' } as const;

/** `value`: the file's content, or why it could not be read. */
export function forwardingCheck(family: 4 | 6, routes: readonly string[], value: { text: string } | { error: string }): CheckResult {
  const { name, id } = SYSCTL[family];
  const some = routes.slice(0, 3).join(', ') + (routes.length > 3 ? ` and ${routes.length - 3} more` : '');
  const make = routes.length === 1 ? 'makes' : 'make';
  if (routes.length === 0)
    return ok(id, family === 4 ? 'no managed IPv4 route makes this instance a router (each is an address of this machine, or points at another instance)' : 'no managed IPv6 route makes this instance a router');
  if ('error' in value) return warn(id, `${name} could not be read from ${FORWARDING_FILES[family]} (${value.error}); ${some} need${routes.length === 1 ? 's' : ''} it on`, `check with sysctl ${name}; it must be 1`);
  const v = value.text.trim();
  if (v === '1') return ok(id, `${name} = 1 (${some} ${make} this instance a router)`);
  return fail(
    id,
    `${name} = ${v === '' ? '(empty)' : v}, but ${some} ${make} this instance a router: the kernel drops the traffic the routes send here`,
    `sysctl -w ${name}=1, and keep it across reboots: echo '${name} = 1' > /etc/sysctl.d/60-awsnycast.conf`,
  );
}

/** How the loopback ping went (runArgv's result, in short). */
export interface PingRun {
  readonly destination: string;
  readonly exitCode: number | null;
  readonly spawnError?: string;
  readonly timedOut: boolean;
  readonly stderr: string;
}

/** Can ping open its socket, as the daemon runs it (with this process's privileges)? */
export function pingCheck(usesPing: boolean, runs: readonly PingRun[]): CheckResult {
  if (!usesPing) return ok('ping', 'no ping check in the config');
  const bad = runs.find((r) => r.exitCode !== 0);
  if (bad === undefined) return ok('ping', `ping ${runs.map((r) => r.destination).join(' and ')} answered: ping can open its socket`);
  const last = bad.stderr.trim().split('\n').pop()?.trim() ?? '';
  if (bad.spawnError !== undefined)
    return fail('ping', `ping cannot be run (${bad.spawnError}); every ping check would fail`, 'install iputils-ping (apt-get install iputils-ping), so that ping is on PATH');
  if (/not permitted|permission denied|socket/i.test(last))
    return fail(
      'ping',
      `ping ${bad.destination} could not open its socket: ${last}; every ping check would fail`,
      'give the daemon CAP_NET_RAW (the packaged unit: AmbientCapabilities=CAP_NET_RAW), or let its group open ICMP sockets: sysctl -w net.ipv4.ping_group_range="0 2147483647" (docs/operations.md, "Ping and NoNewPrivileges")',
    );
  return warn('ping', `ping ${bad.destination} failed (${bad.timedOut ? 'no answer in time' : `exit status ${bad.exitCode ?? '?'}`}${last !== '' ? `: ${last}` : ''})`, 'try it by hand: ping -n -c 1 127.0.0.1');
}

/** What is at and above the status socket path. */
export interface SocketFacts {
  readonly path: string;
  /** What is at the path itself. */
  readonly at: 'nothing' | 'socket' | 'other';
  /** The socket's folder exists, and whether this process may create entries in it. */
  readonly dir: { readonly exists: true; readonly writable: boolean } | { readonly exists: false; readonly ancestor: string; readonly ancestorWritable: boolean };
}

export function socketCheck(facts: SocketFacts | undefined, uid: number | undefined): CheckResult {
  if (facts === undefined) return ok('status-socket', 'status socket off (status.socket: "")');
  const who = uid !== undefined ? `uid ${uid}` : 'this user';
  const { path, dir } = facts;
  if (facts.at === 'other') return fail('status-socket', `${path} exists and is not a socket: the daemon will not start its status socket`, `remove it, or set status.socket to another path`);
  if (dir.exists && !dir.writable)
    return fail('status-socket', `${who} cannot create ${path}: its folder is not writable`, 'run the daemon as the folder\'s owner (the packaged unit makes /run/awsnycast with RuntimeDirectory=awsnycast), or set status.socket to a path it can write');
  if (!dir.exists && !dir.ancestorWritable)
    return warn('status-socket', `${who} cannot create the folder of ${path} (${dir.ancestor} is not writable)`, 'under the packaged unit systemd makes /run/awsnycast (RuntimeDirectory=awsnycast); otherwise create the folder for the daemon\'s user, or set status.socket');
  const note = facts.at === 'socket' ? ' (a socket is there: a running daemon\'s, which a second daemon will not take over, or a stale one it replaces)' : dir.exists ? '' : ' (its folder will be created)';
  return ok('status-socket', `${path} can be created by ${who}${note}`);
}

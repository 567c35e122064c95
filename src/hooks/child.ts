// How a program named by the config (a hook, a command check) is started:
// the one place that decides what such a child gets from the daemon.
//  * Its program: argv[0] found on PATH as execvp would, judged by the rule
//    the config file is judged by (permissions.ts), and started by that
//    absolute path, so the file judged is the file run.
//  * Its environment: the daemon's, without any AWS_* variable (credentials,
//    profile, container and web-identity settings, endpoints) unless the
//    config sets `pass_aws_env`, plus the AWSNYCAST_* variables of the event.
//  * Its capabilities: none inherited (unless the config sets
//    `pass_capabilities`). When the daemon holds ambient (or inheritable)
//    capabilities — the unit grants CAP_NET_RAW as an ambient one for ping —
//    the program is started through `setpriv` (util-linux), which clears both
//    sets (naming each capability held) before it executes it. Node cannot change its capabilities itself;
//    without setpriv the child is not started at all.
import { readFileSync } from 'node:fs';
import type { ChildInherit } from '../config/model.js';
import { findProgram, firstTrusted, trustProblemOrUnreadable } from '../config/permissions.js';

/** The rule: every variable whose name starts with AWS_ (in any case) stays with the daemon. */
export function isAwsVariable(name: string): boolean {
  return /^aws_/i.test(name);
}

/** The environment of a hook or command check: `base` without its AWS_* variables (unless `passAwsEnv`), then `extra`. */
export function childEnv(
  extra: Readonly<Record<string, string>> = {},
  passAwsEnv = false,
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && (passAwsEnv || !isAwsVariable(k))) env[k] = v;
  return { ...env, ...extra };
}

export interface HeldCaps {
  /** CapAmb of /proc/self/status. */
  readonly ambient: bigint;
  /** CapInh: kept across exec for a program whose file has inheritable capabilities. */
  readonly inheritable: bigint;
}

/** The capability sets a child would inherit, from /proc/self/status text (0 when absent). */
export function parseHeldCaps(status: string): HeldCaps {
  const field = (name: string): bigint => {
    const m = new RegExp(`^${name}:\\s*([0-9a-fA-F]+)$`, 'm').exec(status);
    return m?.[1] !== undefined ? BigInt(`0x${m[1]}`) : 0n;
  };
  return { ambient: field('CapAmb'), inheritable: field('CapInh') };
}

let held: HeldCaps | undefined;
/** This process's inheritable sets, read once (a Node process cannot change them). */
export function heldCaps(): HeldCaps {
  if (held === undefined) {
    try {
      held = parseHeldCaps(readFileSync('/proc/self/status', 'utf8'));
    } catch {
      held = { ambient: 0n, inheritable: 0n };
    }
  }
  return held;
}

/** Where setpriv is looked for: fixed paths, never PATH. */
export const SETPRIV_PATHS: readonly string[] = ['/usr/bin/setpriv', '/bin/setpriv'];

/**
 * What spawn needs, or why the child must not be started: `error` is a code
 * (ENOENT, EACCES as spawn would say; UNSAFE_PROGRAM, NO_SETPRIV, our
 * refusals, with a `detail` for the log).
 */
export type ChildLaunch =
  | { readonly file: string; readonly args: readonly string[]; readonly env: Record<string, string> }
  | { readonly error: string; readonly detail?: string };

export interface ChildOptions {
  /** Event variables (AWSNYCAST_*), added last. */
  readonly env?: Readonly<Record<string, string>>;
  /** What the child inherits beyond the default (config `pass_aws_env`, `pass_capabilities`). */
  readonly inherit?: ChildInherit;
  /** Where a relative program path (or an empty PATH entry) is looked for. Default: the daemon's working directory. */
  readonly cwd?: string;
  /** Tests: the capability sets to act on, instead of this process's. */
  readonly caps?: HeldCaps;
  /** Tests: where setpriv is looked for. */
  readonly setprivPaths?: readonly string[];
}

const hex = (n: bigint): string => n.toString(16).padStart(16, '0');

/** How to start `argv` as a hook or command check (see the top of this file). */
export function launchChild(argv: readonly string[], opts: ChildOptions = {}): ChildLaunch {
  const [name = '', ...rest] = argv;
  const env = childEnv(opts.env, opts.inherit?.awsEnv === true);
  const found = findProgram(name, env.PATH, opts.cwd ?? process.cwd());
  if ('errno' in found) return { error: found.errno };
  const why = trustProblemOrUnreadable(found.path);
  if (why !== undefined)
    return {
      error: 'UNSAFE_PROGRAM',
      detail: `refusing to run ${found.path}: ${why}. Fix: the program and every directory above it owned by root (or this user) and not writable by group or others`,
    };
  const caps = opts.caps ?? heldCaps();
  if (opts.inherit?.capabilities === true || (caps.ambient === 0n && caps.inheritable === 0n)) return { file: found.path, args: rest, env };
  const setpriv = firstTrusted(opts.setprivPaths ?? SETPRIV_PATHS);
  if (!('path' in setpriv))
    return {
      error: 'NO_SETPRIV',
      detail:
        `the daemon holds capabilities a child would inherit (CapAmb ${hex(caps.ambient)}, CapInh ${hex(caps.inheritable)}) and no trusted setpriv ` +
        `(util-linux) at ${(opts.setprivPaths ?? SETPRIV_PATHS).join(' or ')} to drop them; not running ${found.path}`,
    };
  const drop = dropArg(caps);
  return { file: setpriv.path, args: [`--inh-caps=${drop}`, `--ambient-caps=${drop}`, '--', found.path, ...rest], env };
}

/** Capability names by number (linux/capability.h), as setpriv spells them. */
const CAP_NAMES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'linux_immutable',
  'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace',
  'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write',
  'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore',
];

/**
 * setpriv's argument that clears the capabilities held: each one by name
 * (`-net_raw`), not `-all`, which setpriv before util-linux 2.37 refuses
 * ("libcap-ng is too old for all caps") on a kernel newer than the one it was
 * built for — Ubuntu 20.04 on AWS's kernels, for one. `-all` only for a
 * capability this table does not name.
 */
export function dropArg(caps: HeldCaps): string {
  const bits = caps.ambient | caps.inheritable;
  const names: string[] = [];
  for (let i = 0; bits >> BigInt(i) !== 0n; i++) {
    if (((bits >> BigInt(i)) & 1n) === 0n) continue;
    const name = CAP_NAMES[i];
    if (name === undefined) return '-all';
    names.push(`-${name}`);
  }
  return names.length === 0 ? '-all' : names.join(',');
}

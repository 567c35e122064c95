// `awsnycast status`, `drain` and `undrain`: talk to the running daemon over
// its local socket (never over the network).
import { request } from 'node:http';
import { DEFAULTS, loadConfigFile } from '../../config/index.js';
import type { StatusDocument } from '../../status/snapshot.js';
import type { Command } from '../command.js';
import { EXIT, configFlag, configPath } from '../command.js';
import type { FlagSpec, Parsed } from '../flags.js';
import { table } from '../table.js';

const socketFlag: FlagSpec = { names: ['socket'], kind: 'string', metavar: 'PATH', help: "the daemon's status socket (default: status.socket from the config file)" };

/** The socket from --socket, else from the config file, else the default. */
function socketPath(parsed: Parsed): string {
  if (typeof parsed.flags.socket === 'string') return parsed.flags.socket;
  const r = loadConfigFile(configPath(parsed));
  return r.ok ? (r.config.statusSocket ?? DEFAULTS.statusSocket) : DEFAULTS.statusSocket;
}

function call(socket: string, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

function unreachable(socket: string, e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no socket there (is the daemon running, with status.socket set to this path?)'
    : code === 'ECONNREFUSED' ? 'nothing listens on it (the daemon is not running)'
    : code === 'EACCES' ? 'permission denied (the socket is mode 0600: run as the daemon\'s user or root)'
    : e instanceof Error ? e.message : String(e);
  process.stderr.write(`awsnycast: cannot reach the daemon at ${socket}: ${why}\n`);
  return EXIT.error;
}


export function renderStatus(s: StatusDocument): string {
  const out: string[] = [];
  out.push(`${s.identity.instanceId} (${s.identity.az}, ${s.identity.networkInterfaceId}) — ${s.version}${s.noop ? ' — NOOP' : ''}${s.drained ? ` — DRAINED${s.drained.force ? ' (force)' : ''} by ${s.drained.source}: ${s.drained.why}` : ''}`);
  out.push(`config ${s.config.file}  up ${s.uptimeSeconds} s  last pass ${s.lastPass ? `${s.lastPass.startedAt} ${s.lastPass.ok ? 'ok' : `FAILED${s.lastPass.error ? `: ${s.lastPass.error}` : ''}`} (${s.lastPass.durationMs} ms)` : 'none yet'}`);
  out.push('');
  out.push(table([['ROUTE TABLE', 'CIDR', 'OWNER', 'US', 'DECISION', 'REASON', 'DETAIL'], ...s.routes.map((r) => [r.routeTable, r.cidr, r.target ?? '-', r.ours ? 'yes' : 'no', r.action, r.reason, r.detail])]));
  const checks = [...s.checks.map((c) => ({ ...c, kind: 'local' })), ...s.remoteChecks.map((c) => ({ ...c, kind: `remote ${c.template}` }))];
  out.push(table([['CHECK', 'KIND', 'DESTINATION', 'STATE', 'DECIDED', 'LAST', 'DETAIL'], ...checks.map((c) => [c.name, c.kind, c.destination, c.state, c.decided ? 'yes' : 'no', c.last ? `${Math.round(c.last.latencyMs)} ms` : '-', c.last?.detail ?? '-'])]));
  for (const r of s.routes)
    if (r.handoff !== undefined) out.push(`hand-off of ${r.cidr} in ${r.routeTable}: ${r.handoff.to !== null ? `to ${r.handoff.to}` : 'NOWHERE'} (${r.handoff.why})`);
  for (const l of s.lifecycle) out.push(`LIFECYCLE: ${l.kind}: ${l.detail}${l.due !== undefined ? ` (due ${l.due})` : ''}`);
  for (const f of s.flapping) out.push(`FLAPPING: ${f.cidr} in ${f.routeTable} with ${f.other}`);
  for (const e of s.errors) out.push(`error: ${e.cause} (${e.count}×)`);
  return out.join('\n') + (out[out.length - 1]?.endsWith('\n') ? '' : '\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show the running daemon's routes, decisions and checks",
  usage: '[-f FILE] [--socket PATH] [--json]',
  details: 'Reads GET /status from the daemon\'s local socket. Exit 1 when the daemon cannot be reached.',
  flags: [configFlag, socketFlag, { names: ['json'], kind: 'bool', help: 'print the status document as JSON' }],
  async run(parsed) {
    const socket = socketPath(parsed);
    let r;
    try {
      r = await call(socket, 'GET', '/status');
    } catch (e) {
      return unreachable(socket, e);
    }
    if (r.status !== 200) {
      process.stderr.write(`awsnycast: the daemon answered ${r.status}: ${r.body}\n`);
      return EXIT.error;
    }
    if (parsed.flags.json === true) process.stdout.write(r.body);
    else process.stdout.write(renderStatus(JSON.parse(r.body) as StatusDocument));
    return EXIT.ok;
  },
};

function drainCommand(name: 'drain' | 'undrain'): Command {
  return {
    name,
    summary:
      name === 'drain'
        ? 'take this instance out of service: act as if every check failed (kept across restarts)'
        : 'put this instance back in service after a drain',
    usage: name === 'drain' ? '[-f FILE] [--socket PATH] [--force]' : '[-f FILE] [--socket PATH]',
    details:
      name === 'drain'
        ? 'Our routes are withdrawn (never_delete routes stay unless --force) so backups take them; no route is created or taken over while drained.'
        : 'Removes the drain state file. A maintenance file (drain.maintenance_file) keeps the instance drained until it is removed.',
    flags: [configFlag, socketFlag, ...(name === 'drain' ? [{ names: ['force'], kind: 'bool', help: 'also withdraw never_delete routes' } as FlagSpec] : [])],
    async run(parsed) {
      const socket = socketPath(parsed);
      let r;
      try {
        r = await call(socket, 'POST', `/${name}${parsed.flags.force === true ? '?force=1' : ''}`);
      } catch (e) {
        return unreachable(socket, e);
      }
      if (r.status !== 200) {
        process.stderr.write(`awsnycast: the daemon answered ${r.status}: ${r.body}\n`);
        return EXIT.error;
      }
      const d = (JSON.parse(r.body) as { drained: { force: boolean; source: string } | null }).drained;
      process.stdout.write(d === null ? 'undrained: the instance is back in service\n' : `drained${d.force ? ' (force)' : ''} (${d.source})\n`);
      return EXIT.ok;
    },
  };
}

export const drainCmd = drainCommand('drain');
export const undrainCmd = drainCommand('undrain');

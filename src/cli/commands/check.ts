// `awsnycast check`: runs health checks from the config until each has
// decided, prints one row per check, exits 0 when all are healthy. Hooks are
// never run.
import { loadConfigFile, formatProblems } from '../../config/index.js';
import { isIp } from '../../net/address.js';
import type { Config } from '../../config/index.js';
import { suggest } from '../../config/values.js';
import { runUntilDecided } from '../../health/index.js';
import type { CheckSnapshot, Target } from '../../health/index.js';
import { UsageError } from '../flags.js';
import type { Command } from '../command.js';
import { EXIT, configFlag, configPath } from '../command.js';
import { table } from '../table.js';

/** Resolves `NAME` and `NAME@IP` arguments; no arguments means every local check. */
export function selectTargets(config: Config, names: readonly string[]): Target[] {
  if (names.length === 0)
    return Object.values(config.healthchecks).flatMap((spec) => (spec.destination !== undefined ? [{ spec, destination: spec.destination }] : []));
  return names.map((arg) => {
    const at = arg.lastIndexOf('@');
    const name = at === -1 ? arg : arg.slice(0, at);
    const ip = at === -1 ? undefined : arg.slice(at + 1);
    if (ip !== undefined && !isIp(ip)) throw new UsageError(`"${arg}": "${ip}" is not an IP address`);
    const local = config.healthchecks[name];
    const remote = config.remoteHealthchecks[name];
    const spec = local ?? remote;
    if (spec === undefined) {
      const s = suggest(name, [...Object.keys(config.healthchecks), ...Object.keys(config.remoteHealthchecks)]);
      throw new UsageError(`unknown health check "${name}"${s !== undefined ? ` (did you mean "${s}"?)` : ''}`);
    }
    const destination = ip ?? spec.destination;
    if (destination === undefined) throw new UsageError(`"${name}" is a remote health check; name a destination: ${name}@IP`);
    return { spec, destination };
  });
}

function stateWord(s: CheckSnapshot): string {
  return s.decided ? s.state : 'undecided';
}

function latency(s: CheckSnapshot): string {
  return s.last !== undefined ? `${s.last.latencyMs.toFixed(1)} ms` : '-';
}

export function formatTable(rows: readonly CheckSnapshot[]): string {
  const head = ['NAME', 'TYPE', 'DESTINATION', 'STATE', 'LATENCY', 'DETAIL'];
  const body = rows.map((s) => [s.name, s.type, s.destination, stateWord(s), latency(s), s.last?.detail ?? 'no result']);
  return table([head, ...body]);
}

export function toJson(file: string, rows: readonly CheckSnapshot[]): object {
  return {
    file,
    healthy: rows.every((s) => s.healthy),
    checks: rows.map((s) => ({
      name: s.name,
      type: s.type,
      destination: s.destination,
      state: stateWord(s),
      healthy: s.healthy,
      decided: s.decided,
      runs: s.runs,
      latencyMs: s.last?.latencyMs ?? null,
      code: s.last?.code ?? null,
      detail: s.last?.detail ?? null,
      results: s.history,
    })),
  };
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'run health checks until each has decided and show the result',
  usage: '[-f FILE] [--json] [NAME | NAME@IP ...]',
  details: [
    'Runs the named health checks (default: every local one) until each has decided, at most',
    'about rise x every + timeout, then prints name, type, destination, state, last latency and',
    'detail. NAME@IP runs a check (or a remote template) against IP. Hooks are never run.',
    'Exit status: 0 when every check is healthy, 1 otherwise, 2 for an unknown NAME.',
  ].join('\n'),
  flags: [configFlag, { names: ['json'], kind: 'bool', help: 'print JSON instead of a table' }],
  async run(parsed) {
    const file = configPath(parsed);
    // check runs the checks' hooks: the same trust rule as run.
    const loaded = loadConfigFile(file, { trusted: true });
    if (!loaded.ok) {
      for (const line of formatProblems(loaded.problems)) process.stderr.write(line + '\n');
      return EXIT.error;
    }
    const targets = selectTargets(loaded.config, parsed.positionals);
    const json = parsed.flags.json === true;
    if (targets.length === 0) {
      if (json) process.stdout.write(JSON.stringify(toJson(file, []), null, 2) + '\n');
      else process.stderr.write(`${file}: no local health checks to run\n`);
      return EXIT.ok;
    }
    const ac = new AbortController();
    const onSignal = (): void => ac.abort();
    process.once('SIGINT', onSignal);
    try {
      const rows = await runUntilDecided(targets, { hooks: false, signal: ac.signal });
      process.stdout.write(json ? JSON.stringify(toJson(file, rows), null, 2) + '\n' : formatTable(rows));
      return rows.every((s) => s.healthy) ? EXIT.ok : EXIT.error;
    } finally {
      process.off('SIGINT', onSignal);
    }
  },
};

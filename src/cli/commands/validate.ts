// `awsnycast validate`: is this config file fine? Exit 0 with a summary, or 1 with every located error.
import { formatProblem, formatProblems, loadConfigFile, trustProblem } from '../../config/index.js';
import type { Command } from '../command.js';
import { EXIT, configFlag, configPath } from '../command.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a config file and report every error with its location',
  usage: '[-f FILE]',
  details: 'Exit status: 0 when the file is valid, 1 when it is not (each error as FILE:LINE:COL: key.path: message).',
  flags: [configFlag],
  run(parsed) {
    const file = configPath(parsed);
    const result = loadConfigFile(file);
    if (!result.ok) {
      for (const line of formatProblems(result.problems)) process.stderr.write(line + '\n');
      process.stderr.write(`${file}: ${plural(result.problems.length, 'error')}\n`);
      return Promise.resolve(EXIT.error);
    }
    const c = result.config;
    const unsafe = trustProblem(file);
    if (unsafe !== undefined)
      process.stderr.write(
        `${file}: warning: ${unsafe}; hooks in it run commands, so \`run\` refuses it. Fix: the file and every directory above it owned by root (or the daemon's user) and not writable by group or others (chmod go-w)\n`,
      );
    // CA files and programs the config names, judged by the same rule (CFG_UNSAFE for run, plan and check).
    for (const w of result.warnings ?? []) process.stderr.write(formatProblem({ ...w, message: `warning: ${w.message}` }) + '\n');
    const local = Object.keys(c.healthchecks).length;
    const remote = Object.keys(c.remoteHealthchecks).length;
    const routes = c.routeTables.reduce((n, t) => n + t.routes.length, 0);
    process.stdout.write(
      `${file}: valid: ${plural(local, 'health check')}, ${plural(remote, 'remote health check')}, ` +
        `${plural(c.routeTables.length, 'route table')}, ${plural(routes, 'route')}; poll every ${c.pollTime} s\n`,
    );
    return Promise.resolve(EXIT.ok);
  },
};

// `awsnycast run` (the default command): the daemon. Until the daemon lands
// it loads and checks the config, then says plainly that it stops there.
import { formatProblem, loadConfigFile, unsafeWriteMode } from '../../config/index.js';
import type { FlagSpec } from '../flags.js';
import type { Command } from '../command.js';
import { EXIT, configFlag, configPath } from '../command.js';
import { versionLine } from '../version.js';

export const runFlags: readonly FlagSpec[] = [
  configFlag,
  { names: ['noop'], kind: 'bool', help: 'plan and log what would change; change nothing' },
  { names: ['oneshot'], kind: 'bool', help: 'run one reconciliation pass, then exit' },
  { names: ['debug'], kind: 'bool', help: 'verbose logs' },
  { names: ['syslog'], kind: 'bool', help: 'also send logs to the local syslog' },
  { names: ['version'], kind: 'bool', help: 'print the version and exit' },
];

export const runCommand: Command = {
  name: 'run',
  summary: 'run the route daemon (the default when no command is given)',
  usage: '[-f FILE] [-noop] [-oneshot] [-debug] [-syslog]',
  details: 'Flags keep the original AWSnycast spellings: -noop and --noop, -f FILE, --f FILE and -f=FILE all work.',
  flags: runFlags,
  run(parsed) {
    if (parsed.flags.version === true) {
      process.stdout.write(versionLine() + '\n');
      return Promise.resolve(EXIT.ok);
    }
    const file = configPath(parsed);
    const result = loadConfigFile(file);
    if (!result.ok) {
      for (const p of result.problems) process.stderr.write(formatProblem(p) + '\n');
      return Promise.resolve(EXIT.error);
    }
    const mode = unsafeWriteMode(file);
    if (mode !== undefined) {
      process.stderr.write(
        `awsnycast: refusing ${file}: writable by group or others (mode ${mode}); hooks in it run commands. Fix: chmod go-w ${file}\n`,
      );
      return Promise.resolve(EXIT.error);
    }
    process.stderr.write(`awsnycast: ${file} is valid, but the daemon is not implemented yet in this version; nothing was changed.\n`);
    return Promise.resolve(EXIT.error);
  },
};

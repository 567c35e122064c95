// The CLI entry point: picks the subcommand, parses its flags, maps outcomes
// to exit statuses (0 ok, 1 configuration or runtime error, 2 usage error).
import type { Command } from './command.js';
import { EXIT } from './command.js';
import { commands } from './commands/index.js';
import { UsageError, flagHelp, parseFlags } from './flags.js';
import { suggest } from '../config/values.js';

function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'awsnycast keeps AWS VPC route tables pointed at healthy instances.',
    '',
    'Usage: awsnycast [COMMAND] [FLAGS]   (COMMAND defaults to run)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'awsnycast COMMAND --help' for a command's flags.",
    '',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `Usage: awsnycast ${c.name}${c.usage ? ' ' + c.usage : ''}`,
    '',
    c.summary.charAt(0).toUpperCase() + c.summary.slice(1) + '.',
    ...(c.details !== undefined ? ['', c.details] : []),
    ...(c.flags.length > 0 ? ['', 'Flags:', flagHelp(c.flags)] : []),
    '',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  let command: Command | undefined;
  let args = argv;
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-')) {
    command = commands.find((c) => c.name === first);
    if (command === undefined) {
      const s = suggest(first, commands.map((c) => c.name));
      process.stderr.write(
        `awsnycast: unknown command "${first}"${s !== undefined ? ` (did you mean "${s}"?)` : ''}. Run 'awsnycast --help' for the list.\n`,
      );
      return EXIT.usage;
    }
    args = argv.slice(1);
  } else if (first === '-h' || first === '-help' || first === '--help' || first === '--h') {
    process.stdout.write(globalHelp());
    return EXIT.ok;
  }
  command ??= commands.find((c) => c.name === 'run')!;
  try {
    const parsed = parseFlags(args, command.flags);
    if (parsed.help) {
      process.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(parsed);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`awsnycast ${command.name}: ${e.message}. Run 'awsnycast ${command.name} --help' for usage.\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

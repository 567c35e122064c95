// What every subcommand looks like to the dispatcher in main.ts.
import type { FlagSpec, Parsed } from './flags.js';

export interface Command {
  readonly name: string;
  /** One line, shown in `awsnycast --help`. */
  readonly summary: string;
  /** Usage line after `awsnycast NAME`, e.g. `[-f FILE] [NAME...]`. */
  readonly usage: string;
  /** Extra text for `awsnycast NAME --help`. */
  readonly details?: string;
  readonly flags: readonly FlagSpec[];
  /** Returns the exit status: 0 ok, 1 configuration or runtime error (2 is for usage errors, raised as UsageError). */
  run(parsed: Parsed): Promise<number>;
}

export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

export const configFlag: FlagSpec = {
  names: ['f', 'config'],
  kind: 'string',
  metavar: 'FILE',
  default: '/etc/awsnycast.yaml',
  help: 'config file',
};

export function configPath(parsed: Parsed): string {
  const v = parsed.flags.f;
  return typeof v === 'string' ? v : '/etc/awsnycast.yaml';
}

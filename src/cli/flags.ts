// Command-line flags with Go's `flag` package spellings, so every command
// line that worked with the original AWSnycast works here: `-noop` and
// `--noop`, `-f FILE`, `--f FILE`, `-f=FILE`, `-noop=false`. Flags and
// positional arguments may be interleaved (a superset of what Go accepted);
// `--` ends the flags.
import { suggest } from '../config/values.js';

export interface FlagSpec {
  /** Names without dashes; the first is the one shown in help. */
  readonly names: readonly string[];
  readonly kind: 'bool' | 'string';
  readonly help: string;
  /** For string flags: what the value is, shown in help (`FILE`). */
  readonly metavar?: string;
  readonly default?: string;
}

export type FlagValues = Record<string, string | boolean | undefined>;

export interface Parsed {
  /** Keyed by the first name of each flag. */
  readonly flags: FlagValues;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** A mistake on the command line: exit status 2 with a one-line hint. */
export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
}

// The spellings Go's strconv.ParseBool accepts.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): Parsed {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const flags: FlagValues = {};
  for (const s of specs) if (s.default !== undefined) flags[s.names[0]!] = s.default;
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('='))
      throw new UsageError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? undefined : body.slice(eq + 1);
    if (name === 'h' || name === 'help') {
      help = true;
      continue;
    }
    const spec = byName.get(name);
    if (spec === undefined) {
      const known = specs.flatMap((s) => s.names);
      const s = suggest(name, known);
      throw new UsageError(`flag provided but not defined: -${name}${s !== undefined ? ` (did you mean -${s}?)` : ''}`);
    }
    const key = spec.names[0]!;
    if (spec.kind === 'bool') {
      if (inline === undefined) flags[key] = true;
      else if (TRUE.has(inline)) flags[key] = true;
      else if (FALSE.has(inline)) flags[key] = false;
      else throw new UsageError(`invalid boolean value "${inline}" for -${name}`);
      continue;
    }
    if (inline !== undefined) {
      flags[key] = inline;
    } else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`flag needs an argument: -${name}`);
      flags[key] = next;
      i++;
    }
  }
  return { flags, positionals, help };
}

export function flagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const names = s.names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ');
    const left = `  ${names}${s.kind === 'string' ? ` ${s.metavar ?? 'VALUE'}` : ''}`;
    const dflt = s.default !== undefined ? ` (default ${s.default})` : '';
    return { left, right: `${s.help}${dflt}` };
  });
  const width = Math.max(...rows.map((r) => r.left.length), 0) + 2;
  return rows.map((r) => r.left.padEnd(width) + r.right).join('\n');
}

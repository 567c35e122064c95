// Drain state: `awsnycast drain` / `undrain` write or remove the state file,
// so a drain survives restarts; an operator may also create the maintenance
// file. A state file that exists but cannot be read counts as drained (an
// instance must never silently return to service), with an error.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { ErrorBook } from './error-book.js';

export interface DrainState {
  readonly force: boolean;
  /** The file that says so, or the event (`lifecycle`, `stop`). */
  readonly source: string;
  /** A sentence for reasons and logs: why this instance is stepping aside. */
  readonly why: string;
}

export interface DrainFiles {
  readonly drainStateFile: string;
  readonly maintenanceFile: string;
}

export class DrainStore {
  /** Drains that last only while their cause does (a lifecycle signal, a stop): source -> why. Never written to disk. */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly files: () => DrainFiles,
    private readonly errors: ErrorBook,
    private readonly log: Logger,
  ) {}

  /**
   * Drained when the state file (written by `awsnycast drain`) or the
   * maintenance file exists, or while a held drain lasts (hold()).
   */
  state(): DrainState | undefined {
    const { drainStateFile: file, maintenanceFile } = this.files();
    try {
      const text = readFileSync(file, 'utf8');
      this.errors.clear('drain:');
      return { force: text.trim() === 'force', source: file, why: 'this instance is drained (awsnycast drain)' };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        this.errors.report(`drain:${code ?? 'error'}`, { stateFile: file, code }, `cannot read the drain state file; staying drained until it can be read: ${(e as Error).message}`);
        return { force: false, source: file, why: 'the drain state file cannot be read (staying drained)' };
      }
    }
    if (existsSync(maintenanceFile)) return { force: false, source: maintenanceFile, why: `this instance is drained (${maintenanceFile} exists)` };
    const [source, why] = [...this.held][0] ?? [];
    return source !== undefined && why !== undefined ? { force: false, source, why } : undefined;
  }

  /** Drains (with `why`) or, with undefined, stops draining for `source`, in memory only: a lifecycle signal, a stop. */
  hold(source: string, why: string | undefined): void {
    if (why === undefined) this.held.delete(source);
    else this.held.set(source, why);
  }

  /** Writes (or, with undefined, removes) the state file. */
  set(drain: { force: boolean } | undefined): void {
    const file = this.files().drainStateFile;
    if (drain === undefined) rmSync(file, { force: true });
    else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, drain.force ? 'force\n' : 'drained\n', { mode: 0o600 });
    }
    this.log.warn({ drained: drain !== undefined, force: drain?.force ?? false, stateFile: file }, drain === undefined ? 'undrained' : 'drained: behaving as if every check failed');
  }
}

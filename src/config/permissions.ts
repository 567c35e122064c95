// Hooks in the config run commands as the daemon's user (often root), so a
// config file that other users can write is a privilege escalation.
import { statSync } from 'node:fs';

/** The file's mode when group or others may write it; undefined when it is safe (or unreadable). */
export function unsafeWriteMode(file: string): string | undefined {
  try {
    const mode = statSync(file).mode & 0o777;
    return (mode & 0o022) !== 0 ? `0${mode.toString(8).padStart(3, '0')}` : undefined;
  } catch {
    return undefined;
  }
}

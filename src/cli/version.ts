import { readFileSync } from 'node:fs';

/** The package version, read from package.json next to dist/. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function versionLine(): string {
  return `awsnycast ${packageVersion()} (node ${process.version}, ${process.platform}/${process.arch})`;
}

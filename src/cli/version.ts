import { readFileSync } from 'node:fs';

// Set by the single-executable build (scripts/package.mjs, an esbuild
// `define`): the bundle has no package.json beside it to read.
declare const __AWSNYCAST_VERSION__: string | undefined;

/** The package version: built in (single executable), else read from package.json next to dist/. */
export function packageVersion(): string {
  if (typeof __AWSNYCAST_VERSION__ === 'string') return __AWSNYCAST_VERSION__;
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

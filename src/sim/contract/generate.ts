// Generates src/sim/contract/gen/ (EC2_CONTRACT) from AWS's published EC2
// model (build.ts reads it, render.ts lays the files out).
//
//   node dist/src/sim/contract/generate.js [--model FILE] [--out DIR | --check]
//
// --check exits 1 when the committed files differ from what the model gives
// (a file changed, missing, or left over from an action no longer served).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTIONS } from '../ec2-actions/index.js';
import { buildContract, DEBIAN_PACKAGE, DEFAULT_MODEL } from './build.js';
import { GENERATED_DIR, render } from './render.js';

/** What in `dir` differs from `files`: names changed or missing, and `.ts` files no longer generated. */
export function drift(dir: string, files: ReadonlyMap<string, string>): string[] {
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts')) : [];
  const changed = [...files].filter(([f, text]) => !present.includes(f) || readFileSync(join(dir, f), 'utf8') !== text).map(([f]) => f);
  const stale = present.filter((f) => !files.has(f));
  return [...changed, ...stale].sort();
}

function main(argv: readonly string[]): number {
  let model = DEFAULT_MODEL;
  let outDir: string | undefined;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--model') model = argv[++i] ?? '';
    else if (a === '--out') outDir = argv[++i];
    else if (a === '--check') check = true;
    else {
      process.stderr.write(`usage: generate.js [--model FILE] [--out DIR | --check]\n`);
      return 2;
    }
  }
  if (!existsSync(model)) {
    process.stderr.write(`generate: ${model} not found: install Debian's ${DEBIAN_PACKAGE} (scripts/setup does) or pass --model FILE\n`);
    return 1;
  }
  const files = render(buildContract(model, [...ACTIONS.keys()]));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  const target = outDir ?? join(root, GENERATED_DIR);
  const differ = drift(target, files);
  if (check) {
    if (differ.length > 0) {
      process.stderr.write(`generate: ${differ.join(', ')} in ${target} differ from what ${model} gives; run npm run gen-ec2-contract and review the diff\n`);
      return 1;
    }
    return 0;
  }
  mkdirSync(target, { recursive: true });
  for (const f of differ) {
    const text = files.get(f);
    if (text === undefined) rmSync(join(target, f));
    else writeFileSync(join(target, f), text);
  }
  process.stderr.write(`generate: ${target}: ${differ.length === 0 ? 'up to date' : `wrote or removed ${differ.join(', ')}`}\n`);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));

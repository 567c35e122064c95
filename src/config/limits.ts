// Bounds on what a config file may cost to load: its size, its nesting, and
// what its aliases expand to. Each check returns a located problem instead of
// letting the YAML library or a later walk throw (or run out of stack, memory
// or time) on a hostile or mangled file.
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Alias, Document, Node as YamlNode } from 'yaml';
import type { PathSegment } from './problems.js';
import { suggest } from './values.js';

export const LIMITS = {
  /** Bytes in a config file (1 MiB); real configs are a few KiB. */
  maxBytes: 1024 * 1024,
  /** Nested mappings and lists, counting the top-level mapping as 1. */
  maxDepth: 64,
  /** The `yaml` library's own alias-bomb protection: uses of one anchor, weighted by the aliases nested in it. */
  maxAliasCount: 1000,
  /** Values (scalars, mappings, lists) in the document once aliases are expanded. */
  maxValues: 100_000,
  /** Config errors printed before "... and N more". */
  maxPrinted: 50,
} as const;

export type Limited =
  | { kind: 'too-deep'; offset: number; path: PathSegment[]; message: string }
  | { kind: 'unknown-alias' | 'alias-cycle'; offset: number; path: PathSegment[]; message: string };

const deepMessage = `nested deeper than ${LIMITS.maxDepth} levels of mappings and lists`;

/**
 * Flow collections (`[[[[...`) nest in the parser by recursion, so their depth
 * is checked on the text before parsing. Conservative: a bracket counts when
 * it opens a value (after `:`, `-`, `,`, `?`, another bracket or at the start
 * of a line) or inside a flow collection; quoted text and comments are skipped.
 */
export function flowDepthProblem(text: string): Limited | undefined {
  let depth = 0;
  let prev = '\n'; // last non-blank character outside quotes and comments
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') continue;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
      prev = '\n';
      continue;
    }
    const opensValue = depth > 0 || prev === '\n' || prev === '\r' || ':-,?[{'.includes(prev);
    if ((c === '"' || c === "'") && opensValue) {
      for (i++; i < text.length; i++) {
        if (c === '"' && text[i] === '\\') i++;
        else if (text[i] === c) {
          if (c === "'" && text[i + 1] === "'") i++;
          else break;
        }
      }
      prev = c;
      continue;
    }
    if ((c === '[' || c === '{') && opensValue) {
      depth++;
      if (depth > LIMITS.maxDepth) return { kind: 'too-deep', offset: i, path: [], message: deepMessage };
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
    prev = c;
  }
  return undefined;
}

interface Frame {
  readonly node: unknown;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly seg: PathSegment | undefined;
}

function pathOf(f: Frame | undefined): PathSegment[] {
  const out: PathSegment[] = [];
  for (let x = f; x !== undefined; x = x.parent) if (x.seg !== undefined) out.unshift(x.seg);
  return out;
}

const start = (n: { range?: [number, number, number] | null }): number => n.range?.[0] ?? 0;

/**
 * One walk of the parsed document, in document order, without recursion:
 * nesting beyond maxDepth, aliases whose anchor is not defined before them,
 * and aliases inside the node they refer to. Also returns the aliases seen.
 */
export interface AliasUse {
  readonly alias: Alias;
  readonly target: YamlNode | undefined;
}

export function documentProblems(doc: Document, text: string): { problem: Limited | undefined; aliases: AliasUse[] } {
  const anchors = new Map<string, YamlNode>();
  const aliases: AliasUse[] = [];
  const stack: Frame[] = [{ node: doc.contents, depth: 0, parent: undefined, seg: undefined }];
  let problem: Limited | undefined;
  while (stack.length > 0 && problem === undefined) {
    const f = stack.pop()!;
    const node = f.node;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      aliases.push({ alias: node, target });
      if (target === undefined) {
        problem = unknownAlias(node, f, [...anchors.keys()], text);
      } else if (start(target) <= start(node) && start(node) < (target.range?.[2] ?? 0)) {
        problem = {
          kind: 'alias-cycle',
          offset: start(node),
          path: pathOf(f),
          message: `alias *${node.source} is inside the node &${node.source} it refers to`,
        };
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) continue;
    if (node.anchor !== undefined && node.anchor !== null) {
      anchors.set(node.anchor, node);
    }
    if (isScalar(node)) continue;
    const depth = f.depth + 1;
    if (depth > LIMITS.maxDepth) {
      problem = { kind: 'too-deep', offset: start(node), path: pathOf(f), message: deepMessage };
      break;
    }
    const children: Frame[] = [];
    node.items.forEach((item: unknown, i: number) => {
      if (isPair(item)) {
        const pair = item;
        const seg = isScalar(pair.key) ? String(pair.key.value) : '?';
        children.push({ node: pair.key, depth, parent: f, seg: undefined });
        children.push({ node: pair.value, depth, parent: f, seg });
      } else {
        children.push({ node: item, depth, parent: f, seg: i });
      }
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return { problem, aliases };
}

function unknownAlias(node: Alias, f: Frame, known: string[], text: string): Limited {
  // Both names are the user's: keep the edit distance cheap.
  const s = node.source.length <= 64 ? suggest(node.source, known.filter((k) => k.length <= 64)) : undefined;
  const after = text.includes(`&${node.source}`, start(node));
  const hint = s !== undefined ? ` (did you mean *${s}?)` : after ? ` (&${node.source} is defined after it; an anchor must come before its aliases)` : known.length === 0 ? ' (no anchor &name is defined before it)' : '';
  return {
    kind: 'unknown-alias',
    offset: start(node),
    path: pathOf(f),
    message: `*${node.source} refers to no anchor${hint}`,
  };
}

/**
 * Walks the converted value, where each alias is a shared reference and so
 * counts once per use: more than maxValues values, or nesting deeper than
 * maxDepth through aliases. Stops at the first finding.
 */
export function expandedProblem(value: unknown): { kind: 'too-many'; path: PathSegment[] } | { kind: 'too-deep'; path: PathSegment[] } | undefined {
  let count = 0;
  const stack: { v: unknown; depth: number; path: PathSegment[] }[] = [{ v: value, depth: 0, path: [] }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (++count > LIMITS.maxValues) return { kind: 'too-many', path };
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > LIMITS.maxDepth) return { kind: 'too-deep', path };
    const entries: [PathSegment, unknown][] = Array.isArray(v)
      ? v.map((x, i): [PathSegment, unknown] => [i, x])
      : v instanceof Map
        ? [...(v as Map<unknown, unknown>).entries()].map(([k, x]): [PathSegment, unknown] => [String(k), x])
        : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i]!;
      stack.push({ v: x, depth: depth + 1, path: [...path, k] });
    }
  }
  return undefined;
}

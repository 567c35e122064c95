// Where a key path of the parsed YAML document stands in the file.
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import type { PathSegment } from './problems.js';

export interface Position {
  readonly line: number;
  readonly col: number;
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Line and column (from 1) of a character offset. */
  pos(offset: number): Position {
    const p = this.lines.linePos(offset);
    return { line: p.line, col: p.col };
  }

  /**
   * Position for a key path. `at: 'key'` points at the key itself (unknown
   * keys); otherwise at the value. A path that does not exist in the file
   * (a missing key) points at the key of its deepest existing parent.
   */
  find(path: readonly PathSegment[], at: 'key' | 'value' = 'value'): Position {
    let node: unknown = this.doc.contents;
    let keyNode: YamlNode | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair === undefined) return this.rangeOf(keyNode ?? node);
        keyNode = pair.key as YamlNode;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
        keyNode = node as YamlNode;
      } else {
        return this.rangeOf(keyNode ?? (node as YamlNode | undefined));
      }
    }
    if (at === 'key' && keyNode !== undefined) return this.rangeOf(keyNode);
    const valueNode = node as YamlNode | null | undefined;
    // `key:` with nothing after it has an empty value at the end of the line; the key reads better.
    if (valueNode === null || valueNode === undefined || (isScalar(valueNode) && valueNode.value === null))
      return this.rangeOf(keyNode);
    return this.rangeOf(valueNode);
  }

  private rangeOf(node: YamlNode | undefined | null): Position {
    const start = node?.range?.[0];
    return start === undefined ? { line: 1, col: 1 } : this.pos(start);
  }
}

// YAML text -> plain data, with a Locator for the positions of its keys.
// Everything that can go wrong before the schema looks at the data ends
// here as located problems: size, nesting, syntax, aliases, an empty file.
// Only duplicate keys let loading go on (the schema's findings are added).
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import { ErrorCode } from './codes.js';
import { LIMITS, documentProblems, expandedProblem, flowDepthProblem } from './limits.js';
import { Locator } from './locate.js';
import { formatPath } from './problems.js';
import type { ConfigProblem, PathSegment } from './problems.js';

export type YamlResult =
  | { readonly ok: true; readonly data: unknown; readonly locator: Locator; readonly problems: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export function tooLarge(file: string): { readonly ok: false; readonly problems: readonly ConfigProblem[] } {
  const mib = LIMITS.maxBytes / (1024 * 1024);
  return { ok: false, problems: [{ code: ErrorCode.TooLarge, file, line: 1, col: 1, path: '', message: `the file is larger than ${mib} MiB (${LIMITS.maxBytes} bytes); a config file is a few KiB` }] };
}

/** Syntax errors the parser reports as indentation trouble. */
const INDENTATION = ['BAD_INDENT', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'MISSING_CHAR'];

export function readYaml(text: string, file: string): YamlResult {
  const one = (code: ErrorCode, line: number, col: number, path: readonly PathSegment[], message: string): YamlResult => ({
    ok: false,
    problems: [{ code, file, line, col, path: formatPath(path), message }],
  });
  // Before parsing, no line starts are known yet: count them up to the offset.
  const at = (code: ErrorCode, offset: number, path: readonly PathSegment[], message: string): YamlResult => {
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return one(code, line, offset - lineStart + 1, path, message);
  };
  if (text.length > LIMITS.maxBytes || Buffer.byteLength(text) > LIMITS.maxBytes) return tooLarge(file);
  const flow = flowDepthProblem(text);
  if (flow !== undefined) return at(ErrorCode.TooDeep, flow.offset, [], flow.message);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(doc, lines);
  // Before syntax errors: the parser reports nesting it could not follow as one.
  const walked = documentProblems(doc, text);
  if (walked.problem?.kind === 'too-deep') return at(ErrorCode.TooDeep, walked.problem.offset, walked.problem.path, walked.problem.message);
  const syntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  // Only the first syntax error: later ones are usually echoes of it.
  if (syntax !== undefined) {
    if (syntax.code === 'RESOURCE_EXHAUSTION')
      return at(ErrorCode.TooDeep, syntax.pos[0], [], `nested too deeply for the YAML parser (at most ${LIMITS.maxDepth} levels of mappings and lists)`);
    // Some errors are reported at the end of the line before the culprit;
    // point at the first character of the next non-blank line instead.
    let offset = syntax.pos[0];
    if (text[offset] === '\n' || text[offset] === '\r') {
      const m = /[\r\n]+[ \t]*/y;
      m.lastIndex = offset;
      if (m.exec(text) !== null && m.lastIndex < text.length) offset = m.lastIndex;
    }
    const { line, col } = locator.pos(offset);
    const first = syntax.message.split('\n')[0] ?? syntax.message;
    const hint = INDENTATION.includes(syntax.code) ? ' (check the indentation here)' : '';
    return one(ErrorCode.YamlSyntax, line, col, [], `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, '')}${hint}`);
  }
  if (walked.problem !== undefined) {
    const p = walked.problem;
    return at(p.kind === 'unknown-alias' ? ErrorCode.UnknownAlias : ErrorCode.AliasCycle, p.offset, p.path, p.message);
  }
  const duplicates = doc.errors.map((e): ConfigProblem => {
    const { line, col } = locator.pos(e.pos[0]);
    return { code: ErrorCode.DuplicateKey, file, line, col, path: '', message: 'this key appears twice in the same mapping' };
  });
  // The first alias that copies a collection is where an alias bomb shows itself.
  const bombAt = (): number => {
    const a = walked.aliases.find((x) => isMap(x.target) || isSeq(x.target)) ?? walked.aliases[0];
    return a?.alias.range?.[0] ?? 0;
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (e) {
    // The yaml library's own alias-bomb protection (maxAliasCount) throws.
    if (!(e instanceof ReferenceError) || !/alias/i.test(e.message)) throw e;
    return at(ErrorCode.AliasLimit, bombAt(), [], `aliases here expand the document beyond the limit (an anchor may be used at most ${LIMITS.maxAliasCount} times, counting the aliases nested in it)`);
  }
  if (data === null || data === undefined) return one(ErrorCode.Empty, 1, 1, [], 'the file holds no configuration (empty document)');
  const expanded = expandedProblem(data);
  if (expanded !== undefined) {
    const { line, col } = locator.find(expanded.path);
    const viaAliases = walked.aliases.length > 0;
    if (expanded.kind === 'too-deep')
      return one(ErrorCode.TooDeep, line, col, expanded.path, `nested deeper than ${LIMITS.maxDepth} levels of mappings and lists${viaAliases ? ' once aliases are expanded' : ''}`);
    if (viaAliases) return at(ErrorCode.AliasLimit, bombAt(), [], `aliases expand the document to more than ${LIMITS.maxValues} values`);
    return one(ErrorCode.TooLarge, line, col, expanded.path, `the document holds more than ${LIMITS.maxValues} values`);
  }
  return { ok: true, data, locator, problems: duplicates };
}

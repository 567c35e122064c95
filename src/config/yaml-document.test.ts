import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, formatProblem } from './index.js';
import { problems, ruleTests, TABLES } from './testing.js';
import type { RuleCase } from './testing.js';

const RULES: RuleCase[] = [
  { name: 'a file of only comments is empty', yaml: '# nothing here\n', expect: [[ErrorCode.Empty, '']] },
  {
    name: 'a YAML syntax error is reported alone, even when other keys are wrong',
    yaml: 'bogus: 1\nroutetables:\n  t: [unclosed\n',
    expect: [[ErrorCode.YamlSyntax, '']],
  },
  {
    name: 'a duplicate key is reported at its second occurrence',
    yaml: `poll_time: 10\npoll_time: 20\n${TABLES}`,
    expect: [[ErrorCode.DuplicateKey, '']],
    line: 2,
  },
];

describe('reading the YAML', () => ruleTests(RULES));

describe('hostile or mangled files end in one located problem, never an exception', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`), TABLES].join('\n');
  const cases: [string, string, string, number, number, string][] = [
    // name, yaml, code, line, col, path
    ['a typo in an alias name', `healthchecks:\n  a: &name {type: ping, destination: 10.0.0.1, every: 2}\n  b: *nmae\n${TABLES}`, 'CFG_UNKNOWN_ALIAS', 3, 6, 'healthchecks.b'],
    ['an alias before its anchor', `poll_time: *p\nx: &p 3\n${TABLES}`, 'CFG_UNKNOWN_ALIAS', 1, 12, 'poll_time'],
    ['an alias inside the node it names', `x: &x [*x]\n${TABLES}`, 'CFG_ALIAS_CYCLE', 1, 8, 'x[0]'],
    ['a billion-laughs alias bomb', bomb, 'CFG_ALIAS_LIMIT', 2, 8, ''],
    ['flow nesting 200 levels deep', `x: ${'['.repeat(200)}${']'.repeat(200)}\n${TABLES}`, 'CFG_TOO_DEEP', 1, 68, ''],
    ['an unclosed flow nesting 100,000 deep', `x: ${'{a: '.repeat(100_000)}`, 'CFG_TOO_DEEP', 1, 4 + 64 * 4, ''],
    ['block nesting 80 levels deep', `x:\n${Array.from({ length: 80 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`, 'CFG_TOO_DEEP', 65, 65, `x.${Array.from({ length: 63 }, () => 'k').join('.')}`],
    ['a text over 1 MiB', `${TABLES}${'# padding\n'.repeat(110_000)}`, 'CFG_TOO_LARGE', 1, 1, ''],
  ];
  for (const [name, yaml, code, line, col, path] of cases) {
    test(`${name} is ${code} at ${line}:${col}`, () => {
      const ps = problems(yaml);
      assert.equal(ps.length, 1, ps.map(formatProblem).join('\n'));
      assert.deepEqual([ps[0]!.code, ps[0]!.line, ps[0]!.col, ps[0]!.path], [code, line, col, path]);
    });
  }

  test('nesting through aliases past 64 levels is CFG_TOO_DEEP', () => {
    const half = (inner: string): string => `${'['.repeat(40)}${inner}${']'.repeat(40)}`;
    const ps = problems(`a: &a ${half('1')}\nb: ${half('*a')}\n${TABLES}`);
    assert.deepEqual(ps.map((p) => p.code), ['CFG_TOO_DEEP']);
  });
});

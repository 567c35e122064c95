import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, formatProblem, formatProblems } from './index.js';
import type { ConfigProblem } from './index.js';
import { problems, TABLES } from './testing.js';

describe('locating problems', () => {
  test('every problem carries file, line and column, and formats as FILE:LINE:COL: path: message', () => {
    const got = problems(`healthchecks:\n  c: {type: ping, destination: nope, every: 1}\n${TABLES}`, 'conf/a.yaml');
    assert.equal(got.length, 1);
    assert.equal(formatProblem(got[0]!), 'conf/a.yaml:2:32: healthchecks.c.destination: "nope" is not an IP address');
  });

  test('problems are sorted by position', () => {
    const got = problems(`healthchecks:\n  b: {type: ping, destination: x, every: 1}\n  a: {type: ping, destination: y, every: 1}\n${TABLES}`);
    assert.deepEqual(got.map((p) => p.line), [2, 3]);
  });
});

describe('printing problems', () => {
  const many = (n: number): ConfigProblem[] =>
    Array.from({ length: n }, (_, i) => ({ code: ErrorCode.Value, file: 'c.yaml', line: i + 1, col: 1, path: `k${i}`, message: 'bad' }));

  test('at most 50 problems are printed, then one "... and N more" line', () => {
    const lines = formatProblems(many(5000));
    assert.equal(lines.length, 51);
    assert.equal(lines[49], 'c.yaml:50:1: k49: bad');
    assert.equal(lines[50], '... and 4950 more');
    assert.equal(formatProblems(many(50)).length, 50);
  });

  test('a problem line escapes control characters and cuts a huge path or message', () => {
    const line = formatProblem({ code: ErrorCode.UnknownKey, file: 'c.yaml', line: 1, col: 1, path: `a\nb${'x'.repeat(100_000)}`, message: `m\r\n${'y'.repeat(100_000)}` });
    assert.equal(line.split('\n').length, 1);
    assert.ok(line.length < 1000, String(line.length));
  });
});

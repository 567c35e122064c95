import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ErrorCode, formatProblem, loadConfigFile } from './index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const EXAMPLES = join(ROOT, 'examples');
const SHARED_EXAMPLES = resolve(ROOT, '../shared/examples');

describe('every example config loads', () => {
  const dirs = [EXAMPLES, ...(existsSync(SHARED_EXAMPLES) ? [SHARED_EXAMPLES] : [])];
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
      test(`${dir === EXAMPLES ? 'examples' : 'shared/examples'}/${f} is valid`, () => {
        const r = loadConfigFile(join(dir, f));
        assert.ok(r.ok, r.ok ? '' : r.problems.map(formatProblem).join('\n'));
      });
    }
  }
  test('the repo carries the same example files as shared/examples', { skip: !existsSync(SHARED_EXAMPLES) && 'no ../shared here' }, () => {
    for (const f of readdirSync(SHARED_EXAMPLES).filter((n) => n.endsWith('.yaml') || n.endsWith('.pem'))) {
      assert.equal(readFileSync(join(EXAMPLES, f), 'utf8'), readFileSync(join(SHARED_EXAMPLES, f), 'utf8'), f);
    }
  });
});

// Each invalid example, with every problem it must produce: [code, key path, line].
const INVALID: Record<string, [string, string, number][]> = {
  'bad-finders.yaml': [
    [ErrorCode.Missing, 'routetables.a.find.config.value', 8],
    [ErrorCode.Value, 'routetables.b.find.config.regexp', 11],
    [ErrorCode.UnknownType, 'routetables.c.find.type', 14],
    [ErrorCode.Missing, 'routetables.d.find.config.filters', 17],
    [ErrorCode.Value, 'routetables.e.manage_routes', 21],
  ],
  'bad-values.yaml': [
    [ErrorCode.Value, 'healthchecks.a.destination', 9],
    [ErrorCode.UnknownType, 'healthchecks.b.type', 10],
    [ErrorCode.Missing, 'healthchecks.c.config.port', 11],
    [ErrorCode.Value, 'healthchecks.d.rise', 12],
    [ErrorCode.Missing, 'healthchecks.e.every', 13],
    [ErrorCode.Value, 'routetables.r.manage_routes[0].cidr', 18],
    [ErrorCode.Value, 'routetables.r.manage_routes[1].cidr', 19],
  ],
  'empty.yaml': [[ErrorCode.Empty, '', 1]],
  'no-routetables.yaml': [[ErrorCode.Missing, '', 2]],
  'remote-with-destination.yaml': [
    [ErrorCode.Forbidden, 'remote_healthchecks.peer.destination', 4],
    [ErrorCode.UndefinedRef, 'routetables.r.manage_routes[0].remote_healthcheck', 11],
  ],
  'typo-top-level.yaml': [
    [ErrorCode.UnknownKey, 'healthcheck', 3],
    [ErrorCode.UndefinedRef, 'routetables.r.manage_routes[0].healthcheck', 10],
  ],
  'wrong-shapes.yaml': [
    [ErrorCode.Type, 'healthchecks', 6],
    [ErrorCode.Type, 'routetables.r.manage_routes[0].never_delete', 12],
    [ErrorCode.Type, 'routetables.r.manage_routes[0].run_after_replace_route', 13],
    [ErrorCode.Value, 'routetables.r.manage_routes[0].instance', 14],
  ],
  'yaml-syntax.yaml': [[ErrorCode.YamlSyntax, '', 6]],
};

describe('every invalid example is rejected with exactly the expected problems', () => {
  test('the table covers every invalid example', () => {
    const files = readdirSync(join(EXAMPLES, 'invalid')).filter((n) => n.endsWith('.yaml')).sort();
    assert.deepEqual(files, Object.keys(INVALID).sort());
  });
  for (const [file, expected] of Object.entries(INVALID)) {
    test(`invalid/${file} reports ${expected.length} problem(s) at the right lines`, () => {
      const r = loadConfigFile(join(EXAMPLES, 'invalid', file));
      assert.equal(r.ok, false);
      const got = r.ok ? [] : r.problems.map((p) => [p.code, p.path, p.line]);
      assert.deepEqual(got, expected);
    });
  }
  test('the messages say what the example comments ask for', () => {
    const text = (f: string): string => {
      const r = loadConfigFile(join(EXAMPLES, 'invalid', f));
      return r.ok ? '' : r.problems.map(formatProblem).join('\n');
    };
    assert.match(text('typo-top-level.yaml'), /unknown key "healthcheck" \(did you mean "healthchecks"\?\)/);
    assert.match(text('typo-top-level.yaml'), /route r uses healthcheck "a" which is not defined/);
    assert.match(text('bad-values.yaml'), /"db\.internal" is not an IP address/);
    assert.match(text('bad-values.yaml'), /"icmp" is not a known check type \(ping, tcp, http, https, command\)/);
    assert.match(text('bad-values.yaml'), /must be a positive whole number \(got -1\)/);
    assert.match(text('bad-values.yaml'), /"10\.0\.0\.300\/32" is not a valid CIDR/);
    assert.match(text('wrong-shapes.yaml'), /healthchecks: must be a mapping of name to check \(got a list\)/);
    assert.match(text('wrong-shapes.yaml'), /"web-1" is neither SELF nor an instance id/);
    assert.match(text('empty.yaml'), /holds no configuration/);
    assert.match(text('no-routetables.yaml'), /routetables is missing/);
  });
});

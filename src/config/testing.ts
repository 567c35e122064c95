// Helpers for the config tests: load YAML text, and run a table of rule
// cases (each: the problems a snippet of config must produce).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblem, loadConfigText } from './index.js';
import type { Config, ConfigProblem } from './index.js';

export function problems(yaml: string, file = '/etc/awsnycast.yaml'): readonly ConfigProblem[] {
  const r = loadConfigText(yaml, file);
  return r.ok ? [] : r.problems;
}

export function config(yaml: string, file = '/etc/awsnycast.yaml'): Config {
  const r = loadConfigText(yaml, file);
  if (!r.ok) assert.fail(`expected a valid config, got:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.config;
}

/** A minimal valid tail: one route table with one route. */
export const TABLES = `routetables:
  t:
    find: {type: main}
    manage_routes: [{cidr: 10.0.0.1/32}]
`;

export interface RuleCase {
  name: string;
  yaml: string;
  /** Expected [code, path] of every problem, in order; [] = valid. */
  expect: [string, string][];
  /** Optionally, a pattern the formatted problems must match. */
  message?: RegExp;
  line?: number;
}

/** One test per case. */
export function ruleTests(cases: readonly RuleCase[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const got = problems(c.yaml);
      assert.deepEqual(
        got.map((p) => [p.code, p.path]),
        c.expect,
        got.map(formatProblem).join('\n'),
      );
      if (c.message) assert.match(got.map(formatProblem).join('\n'), c.message);
      if (c.line !== undefined) assert.equal(got[0]?.line, c.line);
    });
  }
}

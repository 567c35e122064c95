import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FlagSpec } from './flags.js';
import { UsageError, parseFlags } from './flags.js';

const SPECS: FlagSpec[] = [
  { names: ['f', 'config'], kind: 'string', help: '', default: '/etc/awsnycast.yaml' },
  { names: ['noop'], kind: 'bool', help: '' },
  { names: ['oneshot'], kind: 'bool', help: '' },
];

describe('Go-style flags', () => {
  const cases: [string, string[], Record<string, unknown>][] = [
    ['single-dash boolean', ['-noop'], { f: '/etc/awsnycast.yaml', noop: true }],
    ['double-dash boolean', ['--noop'], { f: '/etc/awsnycast.yaml', noop: true }],
    ['-f FILE', ['-f', 'a.yaml'], { f: 'a.yaml' }],
    ['--f FILE', ['--f', 'a.yaml'], { f: 'a.yaml' }],
    ['-f=FILE', ['-f=a.yaml'], { f: 'a.yaml' }],
    ['--f=FILE', ['--f=a.yaml'], { f: 'a.yaml' }],
    ['--config FILE is an alias of -f', ['--config', 'b.yaml'], { f: 'b.yaml' }],
    ['-config=FILE works too', ['-config=b.yaml'], { f: 'b.yaml' }],
    ['-noop=false turns a boolean off', ['-noop=false', '-oneshot=1'], { f: '/etc/awsnycast.yaml', noop: false, oneshot: true }],
    ['a value may start with a dash when it follows its flag', ['-f', '-odd.yaml'], { f: '-odd.yaml' }],
  ];
  for (const [name, args, want] of cases) {
    test(name, () => assert.deepEqual(parseFlags(args, SPECS).flags, { f: '/etc/awsnycast.yaml', ...want }));
  }
  test('positionals and -- are kept', () => {
    const p = parseFlags(['a', '-noop', 'b', '--', '-c'], SPECS);
    assert.deepEqual(p.positionals, ['a', 'b', '-c']);
  });
  test('-h, -help and --help ask for help', () => {
    for (const h of ['-h', '-help', '--help']) assert.equal(parseFlags([h], SPECS).help, true);
  });
  const bad: [string, string[], RegExp][] = [
    ['an unknown flag is a usage error with a suggestion', ['-nop'], /flag provided but not defined: -nop \(did you mean -noop\?\)/],
    ['a string flag without its value is a usage error', ['-f'], /flag needs an argument: -f/],
    ['a boolean with a bad value is a usage error', ['-noop=maybe'], /invalid boolean value/],
    ['three dashes are bad syntax', ['---noop'], /bad flag syntax/],
  ];
  for (const [name, args, msg] of bad) {
    test(name, () => assert.throws(() => parseFlags(args, SPECS), (e: unknown) => e instanceof UsageError && e.code === 'CLI_USAGE' && msg.test(e.message)));
  }
});

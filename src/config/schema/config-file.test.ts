import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { ErrorCode } from '../index.js';
import { config, problems, ruleTests, TABLES } from '../testing.js';
import type { RuleCase } from '../testing.js';
import { configSchema } from './config-file.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../../examples');

const RULES: RuleCase[] = [
  { name: 'a top-level list is not a config', yaml: '- a\n- b\n', expect: [[ErrorCode.Type, '']], message: /must be a mapping of settings \(got a list\)/ },
  {
    name: 'an empty routetables mapping is refused',
    yaml: 'routetables: {}\n',
    expect: [[ErrorCode.Value, 'routetables']],
  },
  {
    name: 'an unknown key far from every known one gets no suggestion',
    yaml: `zzzzzz: 1\n${TABLES}`,
    expect: [[ErrorCode.UnknownKey, 'zzzzzz']],
    message: /unknown key "zzzzzz"$/m,
  },
  {
    name: 'route_tables is accepted as a spelling of routetables',
    yaml: 'route_tables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [],
  },
  {
    name: 'routetables and route_tables together are refused',
    yaml: `route_tables:\n  u:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.2/32}]\n${TABLES}`,
    expect: [[ErrorCode.Value, 'route_tables']],
  },
  {
    name: 'a route naming an undefined check is refused',
    yaml: `healthchecks:\n  web: {type: ping, destination: 10.0.0.1, every: 1}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, healthcheck: [web, wbe]}]\n`,
    expect: [[ErrorCode.UndefinedRef, 'routetables.t.manage_routes[0].healthcheck[1]']],
    message: /"wbe" which is not defined \(did you mean "web"\?\)/,
  },
  {
    name: 'a remote template named as a local check gets a hint',
    yaml: `remote_healthchecks:\n  peer: {type: ping, every: 1}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, healthcheck: peer}]\n`,
    expect: [[ErrorCode.UndefinedRef, 'routetables.t.manage_routes[0].healthcheck']],
    message: /remote_healthchecks template; use remote_healthcheck/,
  },
  {
    name: 'a check name is looked up among the defined checks only, not among inherited names',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, healthcheck: constructor, remote_healthcheck: toString}]\n',
    expect: [
      [ErrorCode.UndefinedRef, 'routetables.t.manage_routes[0].healthcheck'],
      [ErrorCode.UndefinedRef, 'routetables.t.manage_routes[0].remote_healthcheck'],
    ],
  },
  {
    name: 'references are checked in every route, also next to other problems of the route',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/33, healthcheck: nope}]\n',
    expect: [
      [ErrorCode.Value, 'routetables.t.manage_routes[0].cidr'],
      [ErrorCode.UndefinedRef, 'routetables.t.manage_routes[0].healthcheck'],
    ],
  },
  {
    name: 'the status endpoint may not listen beyond loopback unless allowed',
    yaml: `status: {listen: "0.0.0.0:9273"}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'status.listen']],
    message: /not a loopback address/,
  },
  { name: 'IPv6 loopback in any spelling is loopback', yaml: `status: {listen: "[0:0:0:0:0:0:0:1]:9273"}\n${TABLES}`, expect: [] },
  { name: 'allow_non_loopback lets the status endpoint listen elsewhere', yaml: `status: {listen: "10.0.0.5:9273", allow_non_loopback: true}\n${TABLES}`, expect: [] },
  {
    name: 'a status listen address must be HOST:PORT with an IP',
    yaml: `status: {listen: "localhost:80"}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'status.listen']],
  },
];

describe('rules of the whole file', () => ruleTests(RULES));

describe('the model', () => {
  test('defaults are applied as documented', () => {
    const c = config(`healthchecks:\n  p: {type: ping, destination: 10.0.0.1, every: 10}\n  q: {type: ping, destination: 10.0.0.1, every: 0.5}\n${TABLES}`);
    assert.equal(c.pollTime, 300);
    const p = c.healthchecks.p!;
    assert.deepEqual([p.rise, p.fall, p.timeout, p.hookTimeout], [2, 3, 5, 30]);
    assert.equal(c.healthchecks.q!.timeout, 0.5);
    const r = c.routeTables[0]!.routes[0]!;
    assert.deepEqual([r.instance, r.ifUnhealthy, r.neverDelete, r.healthchecks.length, r.hookTimeout, r.priority, r.holdDown], ['SELF', false, false, 0, 30, 50, 30]);
  });

  test('status and drain settings: defaults, a listen address, a socket turned off', () => {
    const d = config(TABLES);
    assert.deepEqual([d.statusSocket, d.statusListen, d.drainStateFile, d.maintenanceFile], ['/run/awsnycast/awsnycast.sock', undefined, '/var/lib/awsnycast/drained', '/etc/awsnycast/maintenance']);
    const c = config(`status: {socket: "", listen: "127.0.0.1:9273"}\ndrain: {state_file: /tmp/d, maintenance_file: /tmp/m}\n${TABLES}`);
    assert.deepEqual([c.statusSocket, c.statusListen, c.drainStateFile, c.maintenanceFile], [undefined, { host: '127.0.0.1', port: 9273 }, '/tmp/d', '/tmp/m']);
  });

  test('the model is deeply frozen, every object and list in it', () => {
    const c = config(readFileSync(join(EXAMPLES, 'extended.yaml'), 'utf8'), join(EXAMPLES, 'extended.yaml'));
    const unfrozen: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (v === null || typeof v !== 'object') return;
      if (!Object.isFrozen(v)) unfrozen.push(path);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(c, 'config');
    assert.deepEqual(unfrozen, []);
    assert.throws(() => {
      (c as { pollTime: number }).pollTime = 1;
    }, TypeError);
  });
});

describe('durations are capped below what a Node timer can hold', () => {
  // Node fires a timer of 2^31 ms (~24.9 days) or more after 1 ms: poll_time 2592000 once made ~200 reads a second.
  test('poll_time, every, timeout, hook_timeout and hold_down past their maxima are errors at their key', () => {
    const p = problems(`poll_time: 2592000
healthchecks:
  a: {type: ping, destination: 127.0.0.1, every: 2592000, timeout: 7200, hook_timeout: 2592000}
routetables:
  t:
    find: {type: main}
    manage_routes: [{cidr: 10.0.0.1/32, healthcheck: a, hold_down: 2592000, hook_timeout: 5000}]
`);
    assert.deepEqual(
      p.map((x) => [x.path, x.line]).sort(),
      [
        ['healthchecks.a.every', 3],
        ['healthchecks.a.hook_timeout', 3],
        ['healthchecks.a.timeout', 3],
        ['poll_time', 1],
        ['routetables.t.manage_routes[0].hold_down', 7],
        ['routetables.t.manage_routes[0].hook_timeout', 7],
      ].sort(),
    );
    assert.ok(p.every((x) => /must be at most \d+ seconds/.test(x.message)), p.map((x) => x.message).join('\n'));
  });
  test('the maxima themselves are accepted', () => {
    config(`poll_time: 86400
healthchecks:
  a: {type: ping, destination: 127.0.0.1, every: 3600, timeout: 3600, hook_timeout: 3600}
routetables:
  t:
    find: {type: main}
    manage_routes: [{cidr: 10.0.0.1/32, healthcheck: a, hold_down: 86400, hook_timeout: 3600}]
`);
  });
});

describe('the schema reports problems as custom issues carrying their code', () => {
  test('every issue of a broken document has a CFG_* code in its params and a message of its own', () => {
    const broken = parse(`poll_time: -1
bogus: 1
healthchecks:
  a: 5
  b: {type: icmp}
  c: {destination: x}
  d: {type: tcp, destination: 10.0.0.1, every: 1, config: {prot: 1}}
route_tables: {}
routetables:
  t: {find: {type: or, config: {filters: []}}, manage_routes: [{cidr: 10.0.0.1/24, healthcheck: [a, zz]}, {cidr: 10.0.0.0/24}]}
status: {listen: "0.0.0.0:1"}
`) as unknown;
    const r = configSchema('/etc/awsnycast.yaml').safeParse(broken);
    assert.equal(r.success, false);
    const issues = r.success ? [] : r.error.issues;
    assert.ok(issues.length >= 10, String(issues.length));
    for (const issue of issues) {
      assert.equal(issue.code, 'custom', JSON.stringify(issue));
      assert.match(String((issue as { params?: { code?: unknown } }).params?.code), /^CFG_[A-Z_]+$/, JSON.stringify(issue));
      // The code used to travel inside the message, behind \u0001.
      assert.ok(!issue.message.includes('\u0001') && !issue.message.includes('Invalid input'), JSON.stringify(issue));
    }
  });
});

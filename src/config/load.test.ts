import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCode, formatProblem, loadConfigFile, loadConfigText } from './index.js';
import type { Config, ConfigProblem } from './index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const EXAMPLES = join(ROOT, 'examples');
const SHARED_EXAMPLES = resolve(ROOT, '../shared/examples');

function problems(yaml: string, file = '/etc/awsnycast.yaml'): readonly ConfigProblem[] {
  const r = loadConfigText(yaml, file);
  return r.ok ? [] : r.problems;
}

function config(yaml: string, file = '/etc/awsnycast.yaml'): Config {
  const r = loadConfigText(yaml, file);
  if (!r.ok) assert.fail(`expected a valid config, got:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.config;
}

/** A minimal valid tail: one route table with one route. */
const TABLES = `routetables:
  t:
    find: {type: main}
    manage_routes: [{cidr: 10.0.0.1/32}]
`;

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

interface RuleCase {
  name: string;
  yaml: string;
  /** Expected [code, path] of every problem, in order; [] = valid. */
  expect: [string, string][];
  /** Optionally, a pattern the formatted problems must match. */
  message?: RegExp;
  line?: number;
}

const RULES: RuleCase[] = [
  { name: 'a file of only comments is empty', yaml: '# nothing here\n', expect: [[ErrorCode.Empty, '']] },
  {
    name: 'a YAML syntax error is reported alone, even when other keys are wrong',
    yaml: 'bogus: 1\nroutetables:\n  t: [unclosed\n',
    expect: [[ErrorCode.YamlSyntax, '']],
  },
  { name: 'a top-level list is not a config', yaml: '- a\n- b\n', expect: [[ErrorCode.Type, '']], message: /must be a mapping of settings \(got a list\)/ },
  {
    name: 'a route table given as text is not a mapping',
    yaml: 'routetables:\n  t: main\n',
    expect: [[ErrorCode.Type, 'routetables.t']],
    message: /must be a route table mapping \(got "main"\)/,
  },
  {
    name: 'port and ssl may be strings, as in the original',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: "1", rise: "3", config: {port: "80", ssl: "true", skipVerify: "false"}}\n${TABLES}`,
    expect: [],
  },
  {
    name: 'a port that is not a number is refused',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: 1, config: {port: eighty}}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'healthchecks.c.config.port']],
    message: /must be a port number from 1 to 65535 \(got "eighty"\)/,
  },
  {
    name: 'a port above 65535 is refused',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: 1, config: {port: 70000}}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'healthchecks.c.config.port']],
  },
  {
    name: 'ssl: yes is not a boolean the original accepted',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: 1, config: {port: 1, ssl: "yes"}}\n${TABLES}`,
    expect: [[ErrorCode.Type, 'healthchecks.c.config.ssl']],
  },
  {
    name: 'a host name is not an IP address',
    yaml: `healthchecks:\n  c: {type: ping, destination: example.com, every: 1}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'healthchecks.c.destination']],
  },
  {
    name: 'an IPv6 destination is an IP address',
    yaml: `healthchecks:\n  c: {type: ping, destination: "2001:db8::1", every: 1}\n${TABLES}`,
    expect: [],
  },
  {
    name: 'a local check needs a destination',
    yaml: `healthchecks:\n  c: {type: ping, every: 1}\n${TABLES}`,
    expect: [[ErrorCode.Missing, 'healthchecks.c.destination']],
  },
  {
    name: 'a CIDR with host bits set is refused, naming the network',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/24}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[0].cidr']],
    message: /host bits are set; the network is 10\.0\.0\.0\/24/,
  },
  {
    name: 'an IPv6 CIDR over /128 is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: "2001:db8::/129"}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[0].cidr']],
  },
  {
    name: 'an unknown check type is named with the known ones',
    yaml: `healthchecks:\n  c: {type: icmp, destination: 10.0.0.1, every: 1}\n${TABLES}`,
    expect: [[ErrorCode.UnknownType, 'healthchecks.c.type']],
  },
  {
    name: 'a check without a type says type is required',
    yaml: `healthchecks:\n  c: {destination: 10.0.0.1, every: 1}\n${TABLES}`,
    expect: [[ErrorCode.Missing, 'healthchecks.c.type']],
  },
  {
    name: 'an unknown finder type is named with the known ones',
    yaml: 'routetables:\n  t:\n    find: {type: by_vpc}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.UnknownType, 'routetables.t.find.type']],
    message: /"by_vpc" is not a known finder/,
  },
  {
    name: 'a tcp check without config is missing its port',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: 1}\n${TABLES}`,
    expect: [[ErrorCode.Missing, 'healthchecks.c.config.port']],
  },
  {
    name: 'a command check needs its command',
    yaml: `healthchecks:\n  c: {type: command, destination: 10.0.0.1, every: 1, config: {arguments: [a]}}\n${TABLES}`,
    expect: [[ErrorCode.Missing, 'healthchecks.c.config.command']],
    message: /is required for a command check/,
  },
  {
    name: 'by_tag needs key and value',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [
      [ErrorCode.Missing, 'routetables.t.find.config.key'],
      [ErrorCode.Missing, 'routetables.t.find.config.value'],
    ],
  },
  {
    name: 'subnet needs subnet_id',
    yaml: 'routetables:\n  t:\n    find: {type: subnet, config: {}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Missing, 'routetables.t.find.config.subnet_id']],
  },
  {
    name: 'has_route_to needs a cidr',
    yaml: 'routetables:\n  t:\n    find: {type: has_route_to, config: {}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Missing, 'routetables.t.find.config.cidr']],
  },
  {
    name: 'or needs filters, and an empty list is refused',
    yaml: 'routetables:\n  t:\n    find: {type: or, config: {filters: []}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.find.config.filters']],
  },
  {
    name: 'an error inside a nested finder is located inside it',
    yaml: 'routetables:\n  t:\n    find:\n      type: and\n      config:\n        filters:\n          - {type: main}\n          - {type: by_tag, config: {key: az}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Missing, 'routetables.t.find.config.filters[1].config.value']],
    line: 8,
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
    name: 'a remote check may not have a destination',
    yaml: `remote_healthchecks:\n  peer: {type: ping, destination: 10.0.0.1, every: 1}\n${TABLES}`,
    expect: [[ErrorCode.Forbidden, 'remote_healthchecks.peer.destination']],
  },
  {
    name: 'an invalid regexp is refused',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag_regexp, config: {key: Name, regexp: "a(b"}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.find.config.regexp']],
  },
  {
    name: 'zero and negative numbers are refused where a positive one is needed',
    yaml: `poll_time: 0\nhealthchecks:\n  c: {type: ping, destination: 10.0.0.1, every: -1, fall: 0, timeout: 0}\n${TABLES}`,
    expect: [
      [ErrorCode.Value, 'poll_time'],
      [ErrorCode.Value, 'healthchecks.c.every'],
      [ErrorCode.Value, 'healthchecks.c.fall'],
      [ErrorCode.Value, 'healthchecks.c.timeout'],
    ],
  },
  {
    name: 'every below 0.1 s is refused',
    yaml: `healthchecks:\n  c: {type: ping, destination: 10.0.0.1, every: 0.05}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'healthchecks.c.every']],
    message: /must be at least 0\.1/,
  },
  {
    name: 'a timeout longer than every is refused',
    yaml: `healthchecks:\n  c: {type: ping, destination: 10.0.0.1, every: 1, timeout: 2}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'healthchecks.c.timeout']],
  },
  {
    name: 'rise must be whole',
    yaml: `healthchecks:\n  c: {type: ping, destination: 10.0.0.1, every: 1, rise: 1.5}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'healthchecks.c.rise']],
  },
  {
    name: 'instance must be SELF or an instance id',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, instance: i-0123456789abcdef0}, {cidr: 10.0.0.2/32, instance: self}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[1].instance']],
  },
  {
    name: 'an empty manage_routes is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: []\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes']],
  },
  {
    name: 'a route table without manage_routes is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n',
    expect: [[ErrorCode.Missing, 'routetables.t.manage_routes']],
  },
  {
    name: 'an empty routetables mapping is refused',
    yaml: 'routetables: {}\n',
    expect: [[ErrorCode.Value, 'routetables']],
  },
  {
    name: 'a duplicate key is reported at its second occurrence',
    yaml: `poll_time: 10\npoll_time: 20\n${TABLES}`,
    expect: [[ErrorCode.DuplicateKey, '']],
    line: 2,
  },
  {
    name: 'the same CIDR twice in one table is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1}, {cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[1].cidr']],
  },
  {
    name: 'an unknown key deep inside a check suggests the close one',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: 1, config: {prot: 80}}\n${TABLES}`,
    expect: [
      [ErrorCode.Missing, 'healthchecks.c.config.port'],
      [ErrorCode.UnknownKey, 'healthchecks.c.config.prot'],
    ],
    message: /unknown key "prot" \(did you mean "port"\?\)/,
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
    name: 'a known placeholder in a finder value and a hook argument is accepted',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {key: az, value: "${az}"}}\n    manage_routes: [{cidr: 10.0.0.1/32, run_after_replace_route: [/bin/echo, "${instance_id} in ${region}"]}]\n',
    expect: [],
  },
  {
    name: 'a hook argument with a NUL character is refused',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {key: az, value: a}}\n    manage_routes: [{cidr: 10.0.0.1/32, run_after_replace_route: [/bin/echo, "a\\0b"]}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[0].run_after_replace_route']],
    message: /must not contain a NUL character/,
  },
  {
    name: 'an unknown placeholder is refused',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {key: az, value: "${zone}"}}\n    manage_routes: [{cidr: 10.0.0.1/32, run_after_delete_route: [/bin/echo, "${instanceid}"]}]\n',
    expect: [
      [ErrorCode.Placeholder, 'routetables.t.find.config.value'],
      [ErrorCode.Placeholder, 'routetables.t.manage_routes[0].run_after_delete_route'],
    ],
  },
  {
    name: 'priority must be a whole number from 0 to 100 and hold_down may be zero',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, priority: 101, hold_down: 0}, {cidr: 10.0.0.2/32, priority: 7, hold_down: -1}]\n',
    expect: [
      [ErrorCode.Value, 'routetables.t.manage_routes[0].priority'],
      [ErrorCode.Value, 'routetables.t.manage_routes[1].hold_down'],
    ],
  },
  {
    name: 'the status endpoint may not listen beyond loopback unless allowed',
    yaml: `status: {listen: "0.0.0.0:9273"}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'status.listen']],
    message: /not a loopback address/,
  },
  { name: 'allow_non_loopback lets the status endpoint listen elsewhere', yaml: `status: {listen: "10.0.0.5:9273", allow_non_loopback: true}\n${TABLES}`, expect: [] },
  {
    name: 'a status listen address must be HOST:PORT with an IP',
    yaml: `status: {listen: "localhost:80"}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'status.listen']],
  },
  {
    name: 'an empty hook list is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, run_before_delete_route: []}]\n',
    expect: [[ErrorCode.Type, 'routetables.t.manage_routes[0].run_before_delete_route']],
  },
  {
    name: 'a cert that is not PEM is refused',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: 1, config: {port: 443, ssl: true, cert: "hello"}}\n${TABLES}`,
    expect: [[ErrorCode.Cert, 'healthchecks.c.config.cert']],
  },
  {
    name: 'a PEM block that does not parse is refused',
    yaml: `healthchecks:\n  c: {type: https, destination: 10.0.0.1, every: 1, config: {cert: "-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n"}}\n${TABLES}`,
    expect: [[ErrorCode.Cert, 'healthchecks.c.config.cert']],
    message: /does not parse as X\.509/,
  },
  {
    name: 'a certPath that cannot be read is refused',
    yaml: `healthchecks:\n  c: {type: https, destination: 10.0.0.1, every: 1, config: {certPath: /nonexistent/ca.pem}}\n${TABLES}`,
    expect: [[ErrorCode.Cert, 'healthchecks.c.config.certPath']],
    message: /cannot read \/nonexistent\/ca\.pem \(ENOENT\)/,
  },
  {
    name: 'expect_status outside 100-599 is refused',
    yaml: `healthchecks:\n  c: {type: http, destination: 10.0.0.1, every: 1, config: {expect_status: [200, 700]}}\n${TABLES}`,
    expect: [[ErrorCode.Value, 'healthchecks.c.config.expect_status']],
  },
  {
    name: 'TLS options are not accepted on a plain http check',
    yaml: `healthchecks:\n  c: {type: http, destination: 10.0.0.1, every: 1, config: {skipVerify: true}}\n${TABLES}`,
    expect: [[ErrorCode.UnknownKey, 'healthchecks.c.config.skipVerify']],
  },
];

describe('config rules', () => {
  for (const c of RULES) {
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

  test('loose strings become numbers and booleans', () => {
    const c = config(`healthchecks:\n  t: {type: tcp, destination: 10.0.0.1, every: "2", rise: "4", config: {port: "8140", ssl: "true", skipVerify: "false"}}\n${TABLES}`);
    const t = c.healthchecks.t!;
    assert.equal(t.every, 2);
    assert.equal(t.rise, 4);
    assert.deepEqual(t.probe, { kind: 'tcp', port: 8140, tls: { skipVerify: false } });
  });

  test('http defaults: port 80, GET /, any 2xx/3xx; https defaults to 443 with TLS', () => {
    const c = config(`healthchecks:\n  h: {type: http, destination: 10.0.0.1, every: 1}\n  s: {type: https, destination: 10.0.0.1, every: 1, config: {expect_status: 204, method: head}}\n${TABLES}`);
    assert.deepEqual(c.healthchecks.h!.probe, { kind: 'http', port: 80, method: 'GET', path: '/', headers: {} });
    assert.deepEqual(c.healthchecks.s!.probe, { kind: 'http', port: 443, method: 'HEAD', path: '/', expectStatus: [204], headers: {}, tls: { skipVerify: false } });
  });

  test('a bare IP becomes a /32 or /128, and IPv6 is written canonically', () => {
    const c = config('routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.1.2.3}, {cidr: "2001:DB8:0:0::10"}, {cidr: "2001:db8:0:9::/64"}]\n');
    assert.deepEqual(
      c.routeTables[0]!.routes.map((r) => [r.cidr, r.family]),
      [['10.1.2.3/32', 4], ['2001:db8::10/128', 6], ['2001:db8:0:9::/64', 6]],
    );
  });

  test('healthcheck as one name or a list becomes a list', () => {
    const c = config(`healthchecks:\n  a: {type: ping, destination: 10.0.0.1, every: 1}\n  b: {type: ping, destination: 10.0.0.1, every: 1}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, healthcheck: a}, {cidr: 10.0.0.2/32, healthcheck: [a, b]}]\n`);
    assert.deepEqual(c.routeTables[0]!.routes.map((r) => r.healthchecks), [['a'], ['a', 'b']]);
  });

  test('finders keep their shape, not and no_results_ok', () => {
    const c = config('routetables:\n  t:\n    find:\n      type: and\n      no_results_ok: true\n      config:\n        filters:\n          - {type: by_tag, not: "true", config: {key: az, value: "${az}"}}\n          - {type: has_route_to, config: {cidr: 10.0.0.0/8}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n');
    const t = c.routeTables[0]!;
    assert.equal(t.noResultsOk, true);
    assert.deepEqual(t.find, {
      kind: 'and',
      not: false,
      filters: [
        { kind: 'by_tag', key: 'az', value: '${az}', not: true },
        { kind: 'has_route_to', cidr: '10.0.0.0/8', not: false },
      ],
    });
  });

  test('the model is deeply frozen', () => {
    const c = config(TABLES);
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.routeTables[0]!.routes[0]));
    assert.throws(() => {
      (c as { pollTime: number }).pollTime = 1;
    }, TypeError);
  });
});

describe('certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'awsn-cfg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a relative certPath is read from the config file folder', () => {
    cpSync(join(EXAMPLES, 'ca.pem'), join(dir, 'ca.pem'));
    const file = join(dir, 'conf.yaml');
    writeFileSync(file, `healthchecks:\n  t: {type: tcp, destination: 10.0.0.1, every: 1, config: {port: 443, ssl: true, certPath: ca.pem}}\n${TABLES}`);
    const r = loadConfigFile(file);
    assert.ok(r.ok, r.ok ? '' : r.problems.map(formatProblem).join('\n'));
    const probe = r.config.healthchecks.t!.probe;
    assert.equal(probe.kind, 'tcp');
    assert.equal(probe.kind === 'tcp' ? probe.tls?.caSource : '', join(dir, 'ca.pem'));
    assert.match(probe.kind === 'tcp' ? (probe.tls?.caPem ?? '') : '', /BEGIN CERTIFICATE/);
  });

  test('a certPath holding garbage is refused', () => {
    writeFileSync(join(dir, 'bad.pem'), 'not a certificate\n');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `healthchecks:\n  t: {type: https, destination: 10.0.0.1, every: 1, config: {certPath: bad.pem}}\n${TABLES}`);
    const r = loadConfigFile(file);
    assert.deepEqual(r.ok ? [] : r.problems.map((p) => [p.code, p.path]), [[ErrorCode.Cert, 'healthchecks.t.config.certPath']]);
  });

  test('a config file that cannot be read is a CFG_FILE problem', () => {
    const r = loadConfigFile(join(dir, 'missing.yaml'));
    assert.deepEqual(r.ok ? [] : r.problems.map((p) => p.code), [ErrorCode.File]);
  });

  test('a config file readable only by others than us is reported, not thrown', { skip: process.getuid?.() === 0 && 'root reads every file' }, () => {
    const file = join(dir, 'private.yaml');
    writeFileSync(file, TABLES);
    chmodSync(file, 0o000);
    const r = loadConfigFile(file);
    assert.deepEqual(r.ok ? [] : r.problems.map((p) => p.code), [ErrorCode.File]);
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

  test('a file over 1 MiB is refused without reading it whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'awsnycast-big-'));
    try {
      const file = join(dir, 'big.yaml');
      writeFileSync(file, `${TABLES}${'#'.repeat(2 * 1024 * 1024)}\n`);
      const r = loadConfigFile(file);
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual(r.problems.map((p) => [p.code, p.line, p.col]), [['CFG_TOO_LARGE', 1, 1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('printing problems', () => {
  const many = (n: number): ConfigProblem[] =>
    Array.from({ length: n }, (_, i) => ({ code: ErrorCode.Value, file: 'c.yaml', line: i + 1, col: 1, path: `k${i}`, message: 'bad' }));

  test('at most 50 problems are printed, then one "... and N more" line', async () => {
    const { formatProblems } = await import('./index.js');
    assert.equal(typeof formatProblems, 'function');
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

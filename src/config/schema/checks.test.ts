import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCode, formatProblem, loadConfigFile } from '../index.js';
import { config, ruleTests, TABLES } from '../testing.js';
import type { RuleCase } from '../testing.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../../examples');

const RULES: RuleCase[] = [
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
    name: 'a check that is not a mapping is told what a check is',
    yaml: `healthchecks:\n  c: 5\n  d:\n${TABLES}`,
    expect: [
      [ErrorCode.Type, 'healthchecks.c'],
      [ErrorCode.Type, 'healthchecks.d'],
    ],
    message: /healthchecks\.c: must be a health check mapping \(got 5\)/,
  },
  {
    name: 'timeout is compared with every only when both are valid',
    yaml: `healthchecks:\n  c: {type: ping, destination: 10.0.0.1, every: 5000, timeout: 6000}\n${TABLES}`,
    expect: [
      [ErrorCode.Value, 'healthchecks.c.every'],
      [ErrorCode.Value, 'healthchecks.c.timeout'],
    ],
    message: /timeout: must be at most 3600 seconds/,
  },
  {
    name: 'cert and certPath together are refused at certPath',
    yaml: `healthchecks:\n  c: {type: https, destination: 10.0.0.1, every: 1, config: {cert: "x", certPath: ca.pem}}\n${TABLES}`,
    expect: [
      [ErrorCode.Cert, 'healthchecks.c.config.cert'],
      [ErrorCode.Value, 'healthchecks.c.config.certPath'],
      [ErrorCode.Cert, 'healthchecks.c.config.certPath'],
    ],
    message: /set either cert or certPath, not both/,
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
    name: 'a remote check may not have a destination',
    yaml: `remote_healthchecks:\n  peer: {type: ping, destination: 10.0.0.1, every: 1}\n${TABLES}`,
    expect: [[ErrorCode.Forbidden, 'remote_healthchecks.peer.destination']],
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
    name: 'an unknown key deep inside a check suggests the close one',
    yaml: `healthchecks:\n  c: {type: tcp, destination: 10.0.0.1, every: 1, config: {prot: 80}}\n${TABLES}`,
    expect: [
      [ErrorCode.Missing, 'healthchecks.c.config.port'],
      [ErrorCode.UnknownKey, 'healthchecks.c.config.prot'],
    ],
    message: /unknown key "prot" \(did you mean "port"\?\)/,
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

describe('health check rules', () => ruleTests(RULES));

describe('the check model', () => {
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
});

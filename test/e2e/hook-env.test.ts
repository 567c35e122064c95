// What hooks get from a running daemon: check hooks and route hooks print
// their environment and ambient capabilities. By default no AWS_* variable
// (the harness gives the daemon AWS keys) and no capability even when the
// daemon holds CAP_NET_RAW as an ambient one (as under the packaged unit);
// `pass_aws_env: true`, applied by a SIGHUP reload, hands the variables on.
// A reload whose hook program another user could change is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { Daemon, NAT_PAIR, Scratch, Sim, waitFor } from './harness.js';

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

const ambient = process.getuid?.() === 0 && spawnSync('setpriv', ['--inh-caps', '+net_raw', '--ambient-caps', '+net_raw', 'true']).status === 0;
const WRAP = ambient ? ['setpriv', '--inh-caps', '+net_raw', '--ambient-caps', '+net_raw'] : [];

/** A hook that writes its environment and CapAmb to `name` in the scratch folder (atomically). */
const dump = (name: string): string => {
  const f = join(scratch.dir, name);
  return `[/bin/sh, -c, 'env > ${f}.tmp; grep CapAmb /proc/self/status >> ${f}.tmp; mv ${f}.tmp ${f}']`;
};

const CONFIG = (head: string, cidr: string, tag: string, extraHook = ''): string => `${head}poll_time: 1
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 1, fall: 3, run_on_healthy: ${dump(`check-${tag}`)}}
routetables:
  mine:
    find: {type: by_tag, config: {key: az, value: "\${az}"}}
    manage_routes:
      - {cidr: ${cidr}, healthcheck: up, run_after_add_route: ${extraHook || dump(`route-${tag}`)}}
`;

async function dumped(name: string): Promise<string[]> {
  const f = join(scratch.dir, name);
  await waitFor(() => existsSync(f), 20_000, `the hook to write ${name}`);
  return readFileSync(f, 'utf8').split('\n');
}

test('hooks get no AWS_ variables and no ambient capability; pass_aws_env hands the variables on after a reload; an unsafe hook program is refused at reload', async () => {
  const sim = await Sim.start(NAT_PAIR.world, { wrap: WRAP });
  running.push(sim);
  const file = scratch.file('hooks.yaml', CONFIG('', '10.0.0.53/32', 'default'));
  const d = Daemon.start(sim, NAT_PAIR.A, ['-f', file, '-log-format=json']);
  running.push(d);

  for (const name of ['check-default', 'route-default']) {
    const lines = await dumped(name);
    assert.deepEqual(lines.filter((l) => /^AWS_/i.test(l)), [], `${name} saw AWS_ variables`);
    assert.ok(lines.includes('AWSNYCAST_EVENT=' + (name.startsWith('check') ? 'run_on_healthy' : 'after_create_route')), lines.join('\n'));
    assert.ok(lines.includes('CapAmb:\t0000000000000000'), lines.join('\n'));
  }

  // A hook program in a directory others can write: the reload is refused, the running config kept.
  const open = join(scratch.dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  writeFileSync(join(open, 'hook'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(open, 'hook'), 0o755);
  writeFileSync(file, CONFIG('', '10.0.0.53/32', 'default', `[${join(open, 'hook')}]`));
  d.child.kill('SIGHUP');
  await d.waitForLog(/SIGHUP: the new config is invalid; keeping the old one/);
  assert.match(d.logs, /run_after_add_route\[0\]: program .*open\/hook: directory .*open is writable by group or others/);
  assert.doesNotMatch(d.logs, /SIGHUP: config reloaded/);

  writeFileSync(file, CONFIG('pass_aws_env: true\n', '10.0.0.54/32', 'passed'));
  d.child.kill('SIGHUP');
  await d.waitForLog(/SIGHUP: config reloaded/);
  for (const name of ['check-passed', 'route-passed']) {
    const lines = await dumped(name);
    assert.ok(lines.includes(`AWS_ACCESS_KEY_ID=AKID${NAT_PAIR.A.slice(-6).toUpperCase()}`), `${name}:\n${lines.join('\n')}`);
    assert.ok(lines.includes('CapAmb:\t0000000000000000'), lines.join('\n'));
  }
  if (ambient) {
    // The daemon itself did hold the capability its hooks were denied.
    const status = readFileSync(`/proc/${d.child.pid}/status`, 'utf8');
    assert.match(status, /^CapAmb:\t0000000000002000$/m);
  }
});

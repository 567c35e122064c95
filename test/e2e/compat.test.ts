// Every original-format example config runs unchanged. Their checks target
// addresses outside loopback (1.1.1.1, 10.x, 192.168.x), so the simulator and
// the daemon run inside a network namespace this test creates, where those
// addresses are aliases of the namespace's own loopback: no packet leaves it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Daemon, ROOT, Scratch, Sim } from './harness.js';

const isRoot = process.getuid?.() === 0;
const NS = `awsn-compat-${process.pid}`;
const WRAP = ['ip', 'netns', 'exec', NS];
const WORLD = join(ROOT, 'test/e2e/worlds/compat.yaml');
const A = 'i-0c0000000000000a1';
const ALIASES = ['1.1.1.1', '192.168.53.53', '10.200.0.1', '10.1.2.3', '10.1.2.4', '10.1.2.5'];

/** Each example, with the (route table, CIDR) pairs the daemon on instance A must decide about. */
const EXAMPLES: [string, [string, string][]][] = [
  ['compat-minimal.yaml', [['rtb-0c000000000000000', '10.200.0.1/32']]],
  [
    'compat-nat-ha.yaml',
    [
      ['rtb-0c0000000000000a1', '0.0.0.0/0'],
      ['rtb-0c0000000000000a1', '192.168.53.53/32'],
      ['rtb-0c0000000000000b1', '0.0.0.0/0'],
      ['rtb-0c0000000000000b1', '192.168.53.53/32'],
    ],
  ],
  [
    'compat-every-finder.yaml',
    [
      ['rtb-0c0000000000000a1', '10.1.2.3/32'],
      ['rtb-0c0000000000000b1', '10.1.2.3/32'],
      ['rtb-0c0000000000000c1', '10.1.2.4/32'],
      ['rtb-0c0000000000000c1', '10.1.2.5/32'],
      ['rtb-0c0000000000000a1', '10.1.2.6/32'],
    ],
  ],
];

const sh = (...argv: string[]): void => {
  execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
};

describe('every compat-*.yaml example runs unchanged', { skip: !isRoot && 'needs root to create a network namespace' }, () => {
  const scratch = new Scratch();
  let sim: Sim | undefined;
  before(async () => {
    sh('ip', 'netns', 'add', NS);
    sh(...WRAP, 'ip', 'link', 'set', 'lo', 'up');
    for (const ip of ALIASES) sh(...WRAP, 'ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo');
    sim = await Sim.start(WORLD, { wrap: WRAP });
  });
  after(async () => {
    await sim?.stop();
    sh('ip', 'netns', 'delete', NS);
    scratch.remove();
  });

  test('the repo covers every compat example', () => {
    const names = execFileSync('ls', [join(ROOT, 'examples')]).toString().split('\n').filter((n) => /^compat-.*\.yaml$/.test(n));
    assert.deepEqual(names.sort(), EXAMPLES.map(([f]) => f).sort());
  });

  for (const [file, pairs] of EXAMPLES) {
    test(`${file} starts, decides every managed route, and stops cleanly on SIGTERM`, async () => {
      copyFileSync(join(ROOT, 'examples/ca.pem'), join(scratch.dir, 'ca.pem'));
      const config = scratch.file(file, readFileSync(join(ROOT, 'examples', file), 'utf8'));
      const d = Daemon.start(sim!, A, ['-f', config, '-debug', '-log-format=json']);
      try {
        for (const [rtb, cidr] of pairs)
          await d.waitForLog(new RegExp(`"routeTable":"${rtb}","cidr":"${cidr.replace(/\./g, '\\.')}"`), 30_000);
        // Nothing outside this instance's VPC was even considered.
        assert.doesNotMatch(d.logs, /rtb-0d/);
        assert.doesNotMatch(d.logs, /"level":(50|60)[^\n]*(StartupError|internal error)/);
      } finally {
        assert.equal(await d.stop(), 0, d.logs);
      }
    });
  }
});

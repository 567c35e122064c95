// `awsnycast doctor` end to end: the real CLI (./bin/awsnycast doctor) as a
// separate process, playing instance nat-a of one `awsnycast sim` process,
// pointed there only by the standard AWS settings. All ok on a good world;
// each failure made by a change of the world or the config and reported with
// its fix; the UnauthorizedOperation path through the simulator's deny list.
//
// What doctor relies on from AWS (the simulator answers the same way, and
// refuses any request AWS's EC2 model does not allow, src/sim/contract/):
// * DryRun, on each action doctor tries (DescribeRouteTables,
//   DescribeNetworkInterfaces, DescribeInstanceStatus, CreateRoute,
//   ReplaceRoute, DeleteRoute): "Checks whether you have the required
//   permissions for the action, without actually making the request, and
//   provides an error response. If you have the required permissions, the
//   error response is DryRunOperation. Otherwise, it is
//   UnauthorizedOperation." https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html,
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html,
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteRoute.html,
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html
//   (the same text is the DryRun member of each action in AWS's model).
//   "DryRunOperation: The user has the required permissions, so the request
//   would have succeeded, but the DryRun parameter was used."
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html;
//   HTTP 412 as AWS answers it in public reports (https://github.com/getmoto/moto/pull/4270).
// * Not allowed: "Client.UnauthorizedOperation response (an HTTP 403
//   response)", https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html.
// * AWS does not document whether a DryRun of a DeleteRoute/ReplaceRoute of a
//   route that is not in the table answers the permission or the missing
//   route; doctor never counts such an answer as allowed (a warn), and tries
//   requests the state allows where it can (a test below checks both).
// * What a request may contain: AWS's EC2 model (the simulator's contract,
//   src/sim/contract/); the good-world test checks doctor's requests against it.
// * Source/destination check: "you must disable source/destination checking"
//   on an instance that routes traffic not addressed to itself
//   (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html).
//
// ip_forward and ping are read from this machine, never faked: the test reads
// /proc/sys/net/ipv4/ip_forward itself and expects doctor's line to agree.
import { EC2Client, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { undocumented } from '../../src/sim/contract/conformance.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { TEST_CALLER } from '../helpers/harness.js';
import { NAT_PAIR, Scratch, Sim } from './harness.js';

interface Check {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

const { A, ENI_A, RTB_A } = NAT_PAIR;
const ANYCAST = '127.0.5.53/32'; // an address of this machine (lo holds 127.0.0.0/8): delivered here, not forwarded
const scratch = new Scratch('awsn-doctor-');
let sim: Sim;

// The good world: nat-pair.yaml with the anycast route in place in nat-a's table, pointing at nat-a.
before(async () => {
  const world = readFileSync(NAT_PAIR.world, 'utf8').replace(
    '      - { cidr: 0.0.0.0/0, instance: i-0a0000000000000a1 }\n',
    `      - { cidr: 0.0.0.0/0, instance: i-0a0000000000000a1 }\n      - { cidr: ${ANYCAST}, instance: i-0a0000000000000a1 }\n`,
  );
  assert.match(world, /127\.0\.5\.53/);
  sim = await Sim.start(scratch.file('world.yaml', world));
});
after(async () => {
  await sim.stop();
  scratch.remove();
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AWS_ACCESS_KEY_ID: 'AKIDDOCTOR',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ENDPOINT_URL_EC2: sim.info.ec2Endpoint,
  AWS_EC2_METADATA_SERVICE_ENDPOINT: sim.client.instance(A).imdsEndpoint,
  AWS_REGION: '',
  ...extra,
});

let n = 0;
/** A config file (mode 0600 in the scratch folder) with its own status socket path. */
function config(routetables: string, head = ''): string {
  n++;
  return scratch.file(`c${n}.yaml`, `poll_time: 1\nstatus: {socket: ${join(scratch.dir, `s${n}`, 'a.sock')}}\n${head}healthchecks:\n  up: {type: ping, destination: 127.0.0.1, every: 1}\nroutetables:\n${routetables}`);
}
const MINE = '{type: and, config: {filters: [{type: by_tag, config: {key: az, value: "${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}';
const GOOD = config(`  anycast:\n    find: ${MINE}\n    manage_routes: [{cidr: ${ANYCAST}, healthcheck: up, if_unhealthy: true}]\n`);
const NAT = config(`  nat:\n    find: ${MINE}\n    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: up}]\n`);

async function doctor(file: string, extraEnv?: NodeJS.ProcessEnv): Promise<CliResult & { checks: Check[]; ok: boolean; by: (id: string) => Check }> {
  const r = await runCli(['doctor', '-f', file, '--json'], { env: env(extraEnv) });
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, r.stderr);
  const doc = JSON.parse(r.stdout) as { checks: Check[]; ok: boolean };
  const by = (id: string): Check => {
    const c = doc.checks.find((x) => x.id === id);
    assert.ok(c !== undefined, `no check ${id} in ${r.stdout}`);
    return c;
  };
  return { ...r, ...doc, by };
}

// Changes of the world (deny list, interface, metadata), one after the other on the one simulator.
describe('awsnycast doctor, world changes', () => {
  beforeEach(() => sim.admin('POST', 'reset'));
  after(() => sim.admin('POST', 'reset'));

  test('a good world: every check ok, exit 0, and the DryRuns changed nothing', async () => {
    const r = await doctor(GOOD);
    assert.deepEqual(r.checks.filter((c) => c.status !== 'ok'), [], r.stdout);
    assert.equal(r.code, 0);
    assert.equal(r.ok, true);
    const ids = r.checks.map((c) => c.id);
    for (const id of ['imds', 'identity', 'region', 'credentials', 'config', 'config-trust', 'source-dest-check', 'finder:anycast', 'cidr-claims', 'ip-forward', 'ping', 'status-socket'])
      assert.ok(ids.includes(id), id);
    for (const a of ['DescribeRouteTables', 'DescribeNetworkInterfaces', 'DescribeInstanceStatus', 'CreateRoute', 'ReplaceRoute', 'DeleteRoute'])
      assert.match(r.by(`iam:${a}`).message, new RegExp(`^ec2:${a} allowed \\(DryRun\\)`));
    assert.match(r.by('iam:ReplaceRoute').message, new RegExp(RTB_A));
    assert.match(r.by('credentials').message, /environment variables/);
    assert.match(r.by('source-dest-check').message, new RegExp(ENI_A));
    // The ping line says what this machine's ping does.
    const pingWorks = spawnSync('ping', ['-n', '-c', '1', '-W', '1', '127.0.0.1']).status === 0;
    assert.equal(r.by('ping').status, pingWorks ? 'ok' : 'fail');
    // Every route call was a DryRun: EC2 answered DryRunOperation, and the mutation log is empty.
    const counters = await sim.client.counters();
    for (const a of ['CreateRoute', 'ReplaceRoute', 'DeleteRoute']) assert.deepEqual(counters.byAction[a], { calls: 1, ok: 0, errors: { DryRunOperation: 1 } }, a);
    assert.deepEqual(await sim.mutations('all'), []);
    // Every request doctor sent is one AWS's model documents (checked against the model, not what the simulator accepts).
    const sent = (await sim.client.requests(0, 'AKIDDOCTOR')).entries;
    assert.ok(sent.some((e) => e.action === 'DeleteRoute' && e.params.includes('DryRun')));
    assert.deepEqual(sent.flatMap((e) => undocumented(e.action, e.params, e.filters)), []);
    // The text form: one line per check.
    const text = await runCli(['doctor', '-f', GOOD], { env: env() });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^ok {3}imds: /m);
    assert.doesNotMatch(text.stdout, /^(FAIL|warn)/m);
  });

  test('actions the role lacks (the simulator\'s deny list): UnauthorizedOperation, FAIL naming the action, the table and the fix', async () => {
    await sim.admin('POST', 'deny', { actions: ['ReplaceRoute', 'DescribeInstanceStatus'], callers: ['AKIDDOCTOR'] });
    const r = await doctor(GOOD);
    const c = r.by('iam:ReplaceRoute');
    assert.equal(c.status, 'fail');
    assert.match(c.message, new RegExp(`^ec2:ReplaceRoute not allowed \\(UnauthorizedOperation\\) on ${RTB_A}`));
    assert.match(c.fix ?? '', new RegExp(`allow ec2:ReplaceRoute .*route-table/${RTB_A}`));
    const d = r.by('iam:DescribeInstanceStatus');
    assert.equal(d.status, 'fail');
    assert.match(d.fix ?? '', /allow ec2:DescribeInstanceStatus .*"Resource": "\*"/);
    assert.equal(r.by('iam:CreateRoute').status, 'ok');
    assert.equal(r.code, 1);
    assert.equal(r.ok, false);
  });

  test('source/destination check on: FAIL with the command that turns it off', async () => {
    const ec2 = new EC2Client({ region: sim.info.region, endpoint: sim.info.ec2Endpoint, credentials: { accessKeyId: TEST_CALLER, secretAccessKey: 'x' } });
    await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: ENI_A, SourceDestCheck: { Value: true } }));
    ec2.destroy();
    const r = await doctor(GOOD);
    const c = r.by('source-dest-check');
    assert.equal(c.status, 'fail');
    assert.equal(c.fix, `aws ec2 modify-network-interface-attribute --network-interface-id ${ENI_A} --no-source-dest-check`);
    assert.equal(r.code, 1);
  });

  test('EC2 unreachable: FAIL ec2 naming the endpoint, the checks that need it skipped, no stack trace', async () => {
    await sim.admin('POST', 'faults', { outage: { mode: 'refuse' } });
    const r = await doctor(GOOD);
    const c = r.by('ec2');
    assert.equal(c.status, 'fail');
    assert.match(c.message, new RegExp(`^EC2 does not answer at ${sim.info.ec2Endpoint.replace(/[.]/g, '\\.')} \\(from AWS_ENDPOINT_URL_EC2\\)`));
    assert.match(r.by('finders').message, /not checked: EC2 does not answer/);
    assert.equal(r.by('ip-forward').id, 'ip-forward'); // the checks of this machine still run
    assert.equal(r.code, 1);
  });

  test('instance metadata unreachable: FAIL imds with the fix, the checks that need it skipped, no stack trace', async () => {
    await sim.admin('POST', 'faults', { imds: { mode: 'refuse' } });
    const r = await doctor(GOOD);
    assert.equal(r.by('imds').status, 'fail');
    assert.match(r.by('imds').fix ?? '', /http-tokens required/);
    assert.equal(r.by('identity').status, 'warn');
    assert.match(r.by('iam').message, /not checked: no instance metadata/);
    assert.equal(r.code, 1);
  });
});

// Changes of the config only, on the good world as it is: side by side (each doctor is its own process).
describe('awsnycast doctor, config changes', { concurrency: true }, () => {
  test('a NAT default route makes this instance a router: the ip_forward line is what this machine has', async () => {
    const value = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const r = await doctor(NAT);
    const line = r.by('ip-forward');
    assert.equal(line.status, value === '1' ? 'ok' : 'fail', line.message);
    assert.match(line.message, new RegExp(`^net\\.ipv4\\.ip_forward = ${value}`));
    if (value !== '1') assert.match(line.fix ?? '', /^sysctl -w net\.ipv4\.ip_forward=1/);
    assert.equal(r.code, value === '1' ? 0 : 1);
    // The route is there, so every route call could be tried; the create with a spare documentation address.
    assert.match(r.by('iam:CreateRoute').message, /allowed \(DryRun\).*192\.0\.2\.1\/32/);
  });

  test('the route not in the table yet: ReplaceRoute and DeleteRoute are not determinable (warn, exit 0), never ok', async () => {
    const r = await doctor(config(`  anycast:\n    find: ${MINE}\n    manage_routes: [{cidr: 127.0.6.53/32}]\n`));
    for (const a of ['ReplaceRoute', 'DeleteRoute']) {
      const c = r.by(`iam:${a}`);
      assert.equal(c.status, 'warn', c.message);
      assert.match(c.message, /not determinable .*127\.0\.6\.53\/32 is not in the table yet/);
    }
    assert.equal(r.by('iam:CreateRoute').status, 'ok');
    assert.equal(r.code, 0);
  });

  test('a finder that matches nothing, a CIDR claimed twice, an unsafe file, a non-socket at the socket path: each FAIL with its fix', async () => {
    const file = config(
      `  nothing:\n    find: {type: by_tag, config: {key: type, value: nope}}\n    manage_routes: [{cidr: ${ANYCAST}}]\n` +
        `  allowed:\n    find: {type: by_tag, no_results_ok: true, config: {key: type, value: nope}}\n    manage_routes: [{cidr: ${ANYCAST}}]\n` +
        `  one:\n    find: {type: by_tag, config: {key: type, value: private}}\n    manage_routes: [{cidr: ${ANYCAST}}]\n` +
        `  two:\n    find: ${MINE}\n    manage_routes: [{cidr: ${ANYCAST}}]\n`,
    );
    writeFileSync(file, readFileSync(file, 'utf8').replace(/socket: [^}]+/, `socket: ${join(scratch.dir, 'not-a-socket')}`));
    writeFileSync(join(scratch.dir, 'not-a-socket'), 'x');
    chmodSync(file, 0o666);
    const r = await doctor(file);
    const expectFail = (id: string, fix: RegExp): Check => {
      const c = r.by(id);
      assert.equal(c.status, 'fail', `${id}: ${c.message}`);
      assert.match(c.fix ?? '', fix);
      return c;
    };
    expectFail('finder:nothing', /describe-route-tables --filters Name=vpc-id,Values=vpc-0a000000000000001.*no_results_ok/);
    assert.equal(r.by('finder:allowed').status, 'ok');
    assert.match(expectFail('cidr-claims', /pick different tables/).message, new RegExp(`127\\.0\\.5\\.53/32 in ${RTB_A} \\(private-a\\) by one and two`));
    expectFail('config-trust', /chmod go-w/);
    expectFail('status-socket', /remove it/);
    assert.equal(r.code, 1);
  });

  test('all_vpcs with a finder that matches a table of another VPC: FAIL; an invalid file: FAIL config, the rest skipped', async () => {
    const foreign = config('  all:\n    find: {type: by_tag, config: {key: type, value: private}}\n    manage_routes: [{cidr: 0.0.0.0/0}]\n', 'all_vpcs: true\n');
    const invalid = scratch.file('invalid.yaml', 'routetables: {t: {find: {type: nope}}}\n');
    const [a, b] = await Promise.all([doctor(foreign), doctor(invalid)]);
    assert.equal(a.by('finder:all').status, 'fail');
    assert.match(a.by('finder:all').message, /rtb-0b000000000000001/);
    assert.match(a.by('finder:all').fix ?? '', /turn all_vpcs off/);
    assert.equal(b.by('config').status, 'fail');
    assert.match(b.by('config').fix ?? '', /awsnycast validate -f/);
    assert.match(b.by('iam').message, /not checked: the config is not valid/);
    assert.deepEqual([a.code, b.code], [1, 1]);
  });

  test('credentials from the instance profile (no AWS_* keys, no config files): the role metadata lists', async () => {
    const home = join(scratch.dir, 'home');
    const r = await doctor(GOOD, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', HOME: home, AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') });
    assert.match(r.by('credentials').message, /^from instance metadata: the instance profile role nat-instance \(inferred/);
    assert.equal(r.by('iam:DescribeRouteTables').status, 'ok');
  });

  test('a usage error is exit 2', async () => {
    const r = await runCli(['doctor', '--bogus'], { env: env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /awsnycast doctor: .*--help/);
  });
});

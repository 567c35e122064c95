// doctor's pure checks on plain values: finders, claims, the interface, the
// IAM requests and how their DryRun answers are judged, forwarding, ping, the
// status socket, the credentials' source, and the printed report.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { config } from '../config/testing.js';
import type { RouteTableView } from '../core/types.js';
import type { DryRunAnswer } from '../ec2/port.js';
import { sourceOf } from './credentials.js';
import { forwardingCheck, isLocalDestination, pingCheck, routerRoutes, socketCheck, type LocalAddress } from './host-checks.js';
import { describeProbes, judge, routeProbes, spareDestination, verdict, type Probe } from './iam.js';
import { fail, ok, passed, renderJson, renderText, warn } from './report.js';
import { claimCheck, finderChecks, sourceDestCheck } from './world-checks.js';

const VPC = 'vpc-0a000000000000001';
const OTHER = 'vpc-0b000000000000002';
const VALUES = { az: 'us-east-1a', region: 'us-east-1', vpc_id: VPC, subnet_id: 'subnet-a', instance_id: 'i-0a0000000000000a1' };
const table = (id: string, vpcId: string, tags: Record<string, string>, routes: RouteTableView['routes'] = []): RouteTableView => ({ id, vpcId, main: false, subnetIds: [], tags, routes });
const PRIV_A = table('rtb-a', VPC, { Name: 'private-a', type: 'private', az: 'us-east-1a' }, [{ destination: '0.0.0.0/0', target: { kind: 'interface', networkInterfaceId: 'eni-b' }, state: 'active' }]);
const PRIV_B = table('rtb-b', VPC, { Name: 'private-b', type: 'private', az: 'us-east-1b' });
const FOREIGN = table('rtb-x', OTHER, { Name: 'private-a', type: 'private' });
const ALL = [PRIV_A, PRIV_B, FOREIGN];
const byType = (extra = '', find = '{type: by_tag, config: {key: type, value: private}}'): string => `${extra}routetables:\n  nat:\n    find: ${find}\n    manage_routes: [{cidr: 0.0.0.0/0}]\n`;

describe('finders', () => {
  test('a finder that matches tables of our VPC is ok and names them; same-tagged tables of other VPCs are left alone', () => {
    const r = finderChecks(config(byType()), ALL, VPC, VALUES);
    assert.deepEqual(r.checks.map((c) => c.status), ['ok']);
    assert.match(r.checks[0]!.message, /rtb-a \(private-a\), rtb-b \(private-b\); 1 table\(s\) of other VPCs match too and are left alone/);
    assert.deepEqual(r.matched.map((m) => m.table.id), ['rtb-a', 'rtb-b']);
  });
  test('with all_vpcs on, a finder that matches a table of another VPC fails', () => {
    const [c] = finderChecks(config(byType('all_vpcs: true\n')), ALL, VPC, VALUES).checks;
    assert.equal(c?.status, 'fail');
    assert.match(c?.message ?? '', /rtb-x/);
  });
  test('a finder that matches nothing fails, unless no_results_ok', () => {
    const none = '{type: by_tag, config: {key: type, value: nope}}';
    assert.equal(finderChecks(config(byType('', none)), ALL, VPC, VALUES).checks[0]?.status, 'fail');
    const allowed = byType('', none).replace('{type: by_tag, config: {key: type, value: nope}}', '{type: by_tag, no_results_ok: true, config: {key: type, value: nope}}');
    assert.equal(finderChecks(config(allowed), ALL, VPC, VALUES).checks[0]?.status, 'ok');
  });
  test('placeholders are filled in with our identity', () => {
    const r = finderChecks(config(byType('', '{type: by_tag, config: {key: az, value: "${az}"}}')), ALL, VPC, VALUES);
    assert.deepEqual(r.matched.map((m) => m.table.id), ['rtb-a']);
  });
  test('a CIDR two entries manage in one table fails, naming both', () => {
    const yaml = `routetables:\n  one:\n    find: {type: by_tag, config: {key: type, value: private}}\n    manage_routes: [{cidr: 0.0.0.0/0}]\n  two:\n    find: {type: by_tag, config: {key: az, value: us-east-1b}}\n    manage_routes: [{cidr: 0.0.0.0/0}]\n`;
    const c = claimCheck(finderChecks(config(yaml), ALL, VPC, VALUES).matched);
    assert.equal(c.status, 'fail');
    assert.match(c.message, /0\.0\.0\.0\/0 in rtb-b \(private-b\) by one and two/);
    assert.equal(claimCheck(finderChecks(config(byType()), ALL, VPC, VALUES).matched).status, 'ok');
  });
});

describe('source/destination check', () => {
  const eni = (id: string, sourceDestCheck: boolean, deviceIndex: number) => ({ id, privateIps: [], sourceDestCheck, deviceIndex });
  test('the interface with the check off and the lowest device index is the one routes use', () => {
    const r = sourceDestCheck('i-1', [eni('eni-2', false, 1), eni('eni-1', true, 0), eni('eni-3', false, 2)]);
    assert.deepEqual([r.check.status, r.eni], ['ok', 'eni-2']);
  });
  test('no interface with the check off fails with the command that turns it off', () => {
    const r = sourceDestCheck('i-1', [eni('eni-1', true, 0)]);
    assert.equal(r.check.status, 'fail');
    assert.equal(r.check.fix, 'aws ec2 modify-network-interface-attribute --network-interface-id eni-1 --no-source-dest-check');
  });
});

describe('IAM requests', () => {
  const me = { instanceId: 'i-0a0000000000000a1', vpcId: VPC };
  test('the describes follow the config: status with if_unhealthy, instances with peers, NAT gateways with a fallback', () => {
    const actions = (yaml: string): string[] => describeProbes(config(yaml), me, VALUES).map((p) => p.call.action);
    assert.deepEqual(actions(byType()), ['DescribeRouteTables', 'DescribeNetworkInterfaces']);
    const all = byType().replace('[{cidr: 0.0.0.0/0}]', '[{cidr: 0.0.0.0/0, if_unhealthy: true, peers: {tag: role, value: nat}, fallback: nat-0a0000000000000a1}]');
    assert.deepEqual(actions(all), ['DescribeRouteTables', 'DescribeNetworkInterfaces', 'DescribeInstanceStatus', 'DescribeInstances', 'DescribeNatGateways']);
    assert.deepEqual(describeProbes(config(byType('all_vpcs: true\n')), me, VALUES)[0]?.call, { action: 'DescribeRouteTables' });
  });
  test('route calls use the managed CIDR; a CIDR already there is created with a spare documentation address, and replaced with its current target', () => {
    const p = routeProbes(finderChecks(config(byType()), ALL, VPC, VALUES).matched, 'eni-a');
    assert.deepEqual(p.CreateRoute.map((x) => x.call), [
      { action: 'CreateRoute', routeTableId: 'rtb-a', cidr: '192.0.2.1/32', target: 'eni-a' },
      { action: 'CreateRoute', routeTableId: 'rtb-b', cidr: '0.0.0.0/0', target: 'eni-a' },
    ]);
    assert.deepEqual(p.ReplaceRoute.map((x) => [x.call, x.note]), [
      [{ action: 'ReplaceRoute', routeTableId: 'rtb-a', cidr: '0.0.0.0/0', target: 'eni-b' }, undefined],
      [{ action: 'ReplaceRoute', routeTableId: 'rtb-b', cidr: '0.0.0.0/0', target: 'eni-a' }, '0.0.0.0/0 is not in the table yet'],
    ]);
    assert.deepEqual(p.DeleteRoute.map((x) => x.note), [undefined, '0.0.0.0/0 is not in the table yet']);
  });
  test('the spare destination skips addresses the table holds, in the route family', () => {
    const t = table('rtb-1', VPC, {}, [{ destination: '192.0.2.1/32', target: { kind: 'other', id: 'local' }, state: 'active' }]);
    assert.equal(spareDestination(4, t), '192.0.2.2/32');
    assert.equal(spareDestination(6, t), '2001:db8::1/128');
  });
});

describe('DryRun answers', () => {
  const answer = (awsCode: string, outcome = 'EC2_INVALID'): DryRunAnswer => ({ awsCode, message: `${awsCode}: m`, outcome });
  const at = (where: string, a: DryRunAnswer, note?: string): { probe: Probe; answer: DryRunAnswer } => ({
    probe: { call: { action: 'DeleteRoute', routeTableId: where, cidr: '0.0.0.0/0' }, where, ...(note !== undefined ? { note } : {}) },
    answer: a,
  });
  const cases: [string, DryRunAnswer, string][] = [
    ['DryRunOperation means allowed', answer('DryRunOperation'), 'allowed'],
    ['UnauthorizedOperation means not allowed', answer('UnauthorizedOperation', 'EC2_PERMISSION_DENIED'), 'denied'],
    ['AuthFailure is about the credentials', answer('AuthFailure', 'EC2_PERMISSION_DENIED'), 'credentials'],
    ['a call that succeeded ignored DryRun', answer('ok', 'ok'), 'ignored'],
    ['any other answer (the route is not there) says nothing about the permission', answer('InvalidRoute.NotFound', 'EC2_NOT_FOUND'), 'unknown'],
  ];
  for (const [name, a, v] of cases) test(name, () => assert.equal(verdict(a), v));

  test('allowed everywhere is ok; denied anywhere fails naming the action and the tables', () => {
    assert.equal(judge('DeleteRoute', [at('rtb-a', answer('DryRunOperation'))], 'us-east-1').status, 'ok');
    const c = judge('DeleteRoute', [at('rtb-a', answer('DryRunOperation')), at('rtb-b', answer('UnauthorizedOperation'))], 'us-east-1');
    assert.equal(c.status, 'fail');
    assert.match(c.message, /^ec2:DeleteRoute not allowed \(UnauthorizedOperation\) on rtb-b; allowed on rtb-a$/);
    assert.match(c.fix ?? '', /arn:aws:ec2:us-east-1:ACCOUNT:route-table\/rtb-b/);
  });
  test('an answer that says nothing about the permission is a warn, never an ok', () => {
    const c = judge('DeleteRoute', [at('rtb-b', answer('InvalidRoute.NotFound'), '0.0.0.0/0 is not in the table yet')], 'us-east-1');
    assert.equal(c.status, 'warn');
    assert.match(c.message, /not determinable on rtb-b: EC2 answered InvalidRoute\.NotFound \(0\.0\.0\.0\/0 is not in the table yet\)/);
  });
});

describe('forwarding', () => {
  const local: LocalAddress[] = [
    { cidr: '127.0.0.1/8', internal: true },
    { cidr: '10.0.1.5/24', internal: false },
    { cidr: '::1/128', internal: true },
  ];
  test('an address of this machine is delivered here; a range, or an address of its subnet, is forwarded', () => {
    assert.deepEqual(
      ['127.0.5.53/32', '10.0.1.5/32', '10.0.1.6/32', '0.0.0.0/0', '::1/128', '2001:db8::1/128'].map((c) => isLocalDestination(c, local)),
      [true, true, false, false, true, false],
    );
  });
  test('only routes of our own that send traffic through us make a router', () => {
    const yaml = byType().replace('[{cidr: 0.0.0.0/0}]', '[{cidr: 0.0.0.0/0}, {cidr: 127.0.5.53/32}, {cidr: 10.9.0.1/32, instance: i-0a0000000000000b1}, {cidr: "2001:db8::/64"}]');
    assert.deepEqual(routerRoutes(config(yaml), local), { v4: ['0.0.0.0/0'], v6: ['2001:db8::/64'] });
  });
  test('the sysctl must be 1 when a route makes this instance a router', () => {
    assert.equal(forwardingCheck(4, ['0.0.0.0/0'], { text: '1\n' }).status, 'ok');
    const off = forwardingCheck(4, ['0.0.0.0/0'], { text: '0\n' });
    assert.equal(off.status, 'fail');
    assert.match(off.fix ?? '', /^sysctl -w net\.ipv4\.ip_forward=1/);
    assert.equal(forwardingCheck(6, ['2001:db8::/64'], { text: '0\n' }).fix?.startsWith('sysctl -w net.ipv6.conf.all.forwarding=1'), true);
    assert.equal(forwardingCheck(4, [], { text: '0\n' }).status, 'ok');
    assert.equal(forwardingCheck(4, ['0.0.0.0/0'], { error: 'ENOENT' }).status, 'warn');
  });
});

describe('ping and the status socket', () => {
  test('ping that cannot open its socket fails with the capability fix; a config without ping checks is ok', () => {
    assert.equal(pingCheck(false, []).status, 'ok');
    assert.equal(pingCheck(true, [{ destination: '127.0.0.1', exitCode: 0, timedOut: false, stderr: '' }]).status, 'ok');
    const denied = pingCheck(true, [{ destination: '127.0.0.1', exitCode: 2, timedOut: false, stderr: 'ping: socket: Operation not permitted\n' }]);
    assert.equal(denied.status, 'fail');
    assert.match(denied.fix ?? '', /CAP_NET_RAW/);
    assert.match(pingCheck(true, [{ destination: '127.0.0.1', exitCode: null, spawnError: 'ENOENT', timedOut: false, stderr: '' }]).fix ?? '', /iputils-ping/);
  });
  test('the socket folder must be writable; something else at the path fails; a missing folder is made', () => {
    assert.equal(socketCheck(undefined, 0).status, 'ok');
    assert.equal(socketCheck({ path: '/run/a/s', at: 'nothing', dir: { exists: true, writable: true } }, 0).status, 'ok');
    assert.equal(socketCheck({ path: '/run/a/s', at: 'nothing', dir: { exists: true, writable: false } }, 1000).status, 'fail');
    assert.equal(socketCheck({ path: '/run/a/s', at: 'other', dir: { exists: true, writable: true } }, 0).status, 'fail');
    assert.equal(socketCheck({ path: '/run/a/s', at: 'nothing', dir: { exists: false, ancestor: '/run', ancestorWritable: false } }, 1000).status, 'warn');
    assert.match(socketCheck({ path: '/run/a/s', at: 'nothing', dir: { exists: false, ancestor: '/run', ancestorWritable: true } }, 0).message, /will be created/);
  });
});

describe('credentials source', () => {
  test('the SDK marks name the provider; instance metadata is inferred from the role it lists; else unknown', () => {
    assert.deepEqual(sourceOf(['CREDENTIALS_ENV_VARS'], {}, undefined), { source: 'environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)', inferred: false });
    assert.equal(sourceOf(['CREDENTIALS_PROFILE'], { AWS_PROFILE: 'ops' }, undefined)?.source, 'the shared config/credentials files, profile ops');
    assert.deepEqual(sourceOf([], {}, 'nat-instance'), { source: 'instance metadata: the instance profile role nat-instance', inferred: true });
    assert.equal(sourceOf([], {}, undefined), undefined);
  });
});

describe('report', () => {
  const checks = [ok('imds', 'answers'), warn('iam:DeleteRoute', 'not determinable', 'run again'), fail('ip-forward', 'off', 'sysctl -w net.ipv4.ip_forward=1')];
  test('one line per check, ok/warn/FAIL, each fix indented below', () => {
    assert.equal(
      renderText(checks),
      'ok   imds: answers\nwarn iam:DeleteRoute: not determinable\n     fix: run again\nFAIL ip-forward: off\n     fix: sysctl -w net.ipv4.ip_forward=1\n1 failed, 1 warning(s): fix the failures before running the daemon\n',
    );
  });
  test('JSON for tools: {checks, ok}; warns alone still pass', () => {
    assert.deepEqual(JSON.parse(renderJson(checks)), { checks, ok: false });
    assert.equal(passed(checks.slice(0, 2)), true);
  });
});

// The committed contract is what AWS's EC2 model gives: regenerating it from
// the installed model (Debian's python3-botocore, installed by scripts/setup)
// must produce the same files byte for byte, and no others.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ACTIONS } from '../ec2-actions/index.js';
import { buildContract, DEFAULT_MODEL, filterNames } from './build.js';
import { EC2_CONTRACT } from './gen/index.js';
import { drift } from './generate.js';
import { fileOf, GENERATED_DIR, layout, render } from './render.js';

test('the committed EC2 contract is what the installed AWS model gives (regenerate with npm run gen-ec2-contract)', () => {
  assert.ok(existsSync(DEFAULT_MODEL), `${DEFAULT_MODEL} is missing: scripts/setup installs Debian's python3-botocore`);
  const fresh = render(buildContract(DEFAULT_MODEL, [...ACTIONS.keys()]));
  for (const [file, text] of fresh) assert.equal(readFileSync(join(GENERATED_DIR, file), 'utf8'), text, file);
  assert.deepEqual(drift(GENERATED_DIR, fresh), []);
});

test('the generated files hold the contract that was rendered', () => {
  const fresh = render(EC2_CONTRACT);
  assert.deepEqual([...fresh.keys()].sort(), ['index.ts', 'shapes.ts', ...Object.keys(EC2_CONTRACT.actions).map(fileOf)].sort());
  for (const [file, text] of fresh) assert.equal(readFileSync(join(GENERATED_DIR, file), 'utf8'), text, file);
});

test('no generated file is longer than 300 lines', () => {
  for (const [file, text] of render(EC2_CONTRACT)) assert.ok(text.split('\n').length <= 300, `${file}: ${text.split('\n').length} lines`);
});

test('drift names changed, missing and left-over files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'awsn-gen-'));
  try {
    writeFileSync(join(dir, 'a.ts'), 'same');
    writeFileSync(join(dir, 'b.ts'), 'old');
    writeFileSync(join(dir, 'gone.ts'), 'x');
    writeFileSync(join(dir, 'notes.md'), 'not generated');
    assert.deepEqual(drift(dir, new Map([['a.ts', 'same'], ['b.ts', 'new'], ['c.ts', 'added']])), ['b.ts', 'c.ts', 'gone.ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('layout puts one member per line down to the depth given, compact JSON below', () => {
  assert.equal(layout({ a: [1, 2], b: { c: 'd' }, e: [] }, 1), '{\n "a": [1,2],\n "b": {"c":"d"},\n "e": []\n}');
  assert.equal(layout({ a: [1, 2] }, 2), '{\n "a": [\n  1,\n  2\n ]\n}');
  assert.deepEqual(JSON.parse(layout(EC2_CONTRACT.actions.RunInstances, 2)), EC2_CONTRACT.actions.RunInstances);
  assert.equal(fileOf('DescribeInstanceStatus'), 'describe-instance-status.ts');
});

test('every action the simulator serves has a contract, and nothing else does', () => {
  assert.deepEqual(Object.keys(EC2_CONTRACT.actions).sort(), [...ACTIONS.keys()].sort());
});

test("filter names are read from the documentation's list items, placeholders kept", () => {
  const doc =
    '<p>The filters.</p> <ul> <li> <p> <code>vpc-id</code> - The ID of the VPC.</p> </li> ' +
    '<li> <p> <code>tag</code>:&lt;key&gt; - The key/value combination of a tag.</p> </li> ' +
    '<li> <p> <code>tag:&lt;key&gt;</code> - again.</p> </li> <li> <p> <code>route.state</code> - The state of a route (<code>active</code> | <code>blackhole</code>).</p> </li> </ul>';
  assert.deepEqual(filterNames(doc), ['vpc-id', 'tag:<key>', 'tag:<key>', 'route.state']);
});

test('the model facts the daemon depends on are in the contract', () => {
  const dis = EC2_CONTRACT.actions.DescribeInstanceStatus!;
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceStatus.html
  assert.ok(!dis.filters!.includes('instance-id'), 'DescribeInstanceStatus documents no instance-id filter');
  assert.ok('InstanceId.N' in dis.params && 'IncludeAllInstances' in dis.params);
  assert.equal(dis.maxItems?.InstanceId, 100);
  assert.deepEqual(dis.exclusive?.map((e) => [e.a, e.b]), [['MaxResults', 'InstanceId']]);
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html
  const drt = EC2_CONTRACT.actions.DescribeRouteTables!;
  assert.deepEqual(drt.maxResults, { min: 5, max: 100, from: 'shape' });
  assert.ok(drt.filters!.includes('vpc-id') && drt.filters!.includes('route-table-id'));
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
  const dni = EC2_CONTRACT.actions.DescribeNetworkInterfaces!;
  assert.ok(dni.filters!.includes('attachment.instance-id') && dni.filters!.includes('network-interface-id'));
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNatGateways.html
  const dng = EC2_CONTRACT.actions.DescribeNatGateways!;
  assert.deepEqual(dng.filters, ['nat-gateway-id', 'state', 'subnet-id', 'tag:<key>', 'tag-key', 'vpc-id']);
  assert.deepEqual(dng.maxResults, { min: 5, max: 1000, from: 'shape' });
  assert.ok('NatGatewayId.N' in dng.params && dng.exclusive === undefined);
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html
  assert.ok('NatGatewayId' in EC2_CONTRACT.actions.CreateRoute!.params && 'NatGatewayId' in EC2_CONTRACT.actions.ReplaceRoute!.params);
});

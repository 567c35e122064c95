// The committed contract is what AWS's EC2 model gives: regenerating it from
// the installed model (Debian's python3-botocore, installed by scripts/setup)
// must produce the same file byte for byte.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ACTIONS } from '../ec2-actions/index.js';
import { EC2_CONTRACT } from './ec2-contract.gen.js';
import { buildContract, DEFAULT_MODEL, filterNames, GENERATED_FILE, render } from './generate.js';

test('the committed EC2 contract is what the installed AWS model gives (regenerate with npm run gen-ec2-contract)', () => {
  assert.ok(existsSync(DEFAULT_MODEL), `${DEFAULT_MODEL} is missing: scripts/setup installs Debian's python3-botocore`);
  const fresh = render(buildContract(DEFAULT_MODEL, [...ACTIONS.keys()]));
  assert.equal(readFileSync(GENERATED_FILE, 'utf8'), fresh);
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
});

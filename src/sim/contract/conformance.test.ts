import assert from 'node:assert/strict';
import { test } from 'node:test';
import { undocumented } from './conformance.js';

test("the daemon's old owner-status request is undocumented; its new one is documented", () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceStatus.html lists no instance-id filter.
  assert.deepEqual(
    undocumented('DescribeInstanceStatus', ['Action', 'Version', 'IncludeAllInstances', 'MaxResults', 'Filter.1.Name', 'Filter.1.Value.1'], ['instance-id']),
    ['filter instance-id'],
  );
  assert.deepEqual(undocumented('DescribeInstanceStatus', ['Action', 'Version', 'IncludeAllInstances', 'InstanceId.1', 'InstanceId.2'], []), []);
  // "You cannot specify this parameter and the instance IDs parameter in the same call."
  assert.equal(undocumented('DescribeInstanceStatus', ['MaxResults', 'InstanceId.1'], []).length, 1);
  assert.deepEqual(undocumented('DescribeRouteTables', ['NoSuchThing'], ['tag:Name', 'vpc-id']), ['parameter NoSuchThing']);
  assert.deepEqual(undocumented('NoSuchAction', [], []), ['action NoSuchAction (not one the simulator\'s contract covers)']);
});

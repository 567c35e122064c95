import assert from 'node:assert/strict';
import { test } from 'node:test';

test("InvalidInstanceID.NotFound names the missing ids in its message (one or several); other errors name none", async () => {
  const { missingInstances } = await import('./sdk-adapter.js');
  const asked = ['i-0a0000000000000a1', 'i-0b0000000000000b1', 'i-0c0000000000000c1'];
  // AWS's wording, as seen in AWS's answers: https://github.com/boto/boto3/issues/2720 (one id).
  assert.deepEqual(missingInstances({ name: 'InvalidInstanceID.NotFound', message: "The instance ID 'i-0b0000000000000b1' does not exist" }, asked), ['i-0b0000000000000b1']);
  assert.deepEqual(
    missingInstances({ name: 'InvalidInstanceID.NotFound', message: "The instance IDs 'i-0a0000000000000a1, i-0c0000000000000c1' do not exist" }, asked),
    ['i-0a0000000000000a1', 'i-0c0000000000000c1'],
  );
  assert.deepEqual(missingInstances({ name: 'InvalidInstanceID.NotFound', message: 'something else' }, asked), []);
  assert.deepEqual(missingInstances({ name: 'InvalidInstanceID.NotFound', message: "The instance ID 'i-0d0000000000000d1' does not exist" }, asked), []);
  assert.equal(missingInstances({ name: 'InvalidParameterValue', message: "The filter 'instance-id' is invalid" }, asked), undefined);
  // A prefix of an asked id is not that id.
  assert.deepEqual(missingInstances({ name: 'InvalidInstanceID.NotFound', message: "The instance ID 'i-0a0000000000000a1f' does not exist" }, asked), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toRouteTableView } from './sdk-adapter.js';

test('an SDK route table becomes the planner view: targets, states, canonical CIDRs, main flag, subnets, tags', () => {
  const v = toRouteTableView({
    RouteTableId: 'rtb-1',
    VpcId: 'vpc-1',
    Associations: [
      { Main: true, AssociationState: { State: 'associated' } },
      { SubnetId: 'subnet-1', AssociationState: { State: 'associated' } },
      { SubnetId: 'subnet-old', AssociationState: { State: 'disassociated' } },
    ],
    Tags: [{ Key: 'Name', Value: 'private' }],
    Routes: [
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
      { DestinationCidrBlock: '0.0.0.0/0', InstanceId: 'i-1', NetworkInterfaceId: 'eni-1', State: 'blackhole' },
      { DestinationIpv6CidrBlock: '2001:DB8::10/128', NetworkInterfaceId: 'eni-2', State: 'active' },
      { DestinationCidrBlock: '192.168.0.0/16', NatGatewayId: 'nat-1', State: 'active' },
      { DestinationPrefixListId: 'pl-1', GatewayId: 'vpce-1', State: 'active' },
    ],
  });
  assert.deepEqual(v, {
    id: 'rtb-1',
    vpcId: 'vpc-1',
    main: true,
    subnetIds: ['subnet-1'],
    tags: { Name: 'private' },
    routes: [
      { destination: '10.0.0.0/16', target: { kind: 'other', id: 'local' }, state: 'active' },
      { destination: '0.0.0.0/0', target: { kind: 'interface', networkInterfaceId: 'eni-1', instanceId: 'i-1' }, state: 'blackhole' },
      { destination: '2001:db8::10/128', target: { kind: 'interface', networkInterfaceId: 'eni-2' }, state: 'active' },
      { destination: '192.168.0.0/16', target: { kind: 'other', id: 'nat-1' }, state: 'active' },
      { destination: 'pl-1', target: { kind: 'other', id: 'vpce-1' }, state: 'active' },
    ],
  });
});

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

// The deny list (POST /_sim/deny): the simulator refusing an action as IAM
// refuses one the caller's policy does not allow, for `awsnycast doctor`'s
// UnauthorizedOperation path. What AWS answers, from AWS's pages:
// * DryRun on every EC2 action (here CreateRoute, ReplaceRoute, DeleteRoute,
//   DescribeRouteTables): "Checks whether you have the required permissions
//   for the action, without actually making the request, and provides an
//   error response. If you have the required permissions, the error response
//   is DryRunOperation. Otherwise, it is UnauthorizedOperation."
//   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html,
//   and the DryRun member of each action in AWS's EC2 model, botocore's
//   ec2/2016-11-15/service-2.json).
// * Not allowed: "the request returns a Client.UnauthorizedOperation response
//   (an HTTP 403 response)" (https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html;
//   also "Unauthorized operation" in
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/query-api-troubleshooting.html),
//   with the message "You are not authorized to perform this operation.
//   Encoded authorization failure message: …"
//   (https://repost.aws/knowledge-center/ec2-not-auth-launch).
import { DescribeRouteTablesCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../src/sim/simulator.js';
import { NAT, ec2, failure, sim } from './helpers.js';

describe('deny list', () => {
  let s: Simulator;
  let a: ReturnType<typeof ec2>;
  let b: ReturnType<typeof ec2>;
  before(async () => {
    s = await sim();
    a = ec2(s, { accessKeyId: 'AKIDCALLERA' });
    b = ec2(s, { accessKeyId: 'AKIDCALLERB' });
  });
  beforeEach(() => s.reset());
  after(async () => {
    a.destroy();
    b.destroy();
    await s.close();
  });

  const replace = (client: ReturnType<typeof ec2>, dryRun: boolean): Promise<unknown> =>
    client.send(new ReplaceRouteCommand({ DryRun: dryRun, RouteTableId: NAT.privA, DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: NAT.eniB }));

  const admin = async (method: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${s.adminEndpoint}/_sim/deny`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('a denied action answers UnauthorizedOperation (403) to a DryRun, where it answered DryRunOperation before', async () => {
    assert.equal((await failure(() => replace(a, true))).name, 'DryRunOperation');
    const r = await admin('POST', { actions: ['ReplaceRoute'] });
    assert.deepEqual(r, { status: 200, body: { rules: [{ actions: ['ReplaceRoute'] }] } });
    const e = await failure(() => replace(a, true));
    assert.deepEqual([e.name, e.status], ['UnauthorizedOperation', 403]);
    assert.match(e.message, /^You are not authorized to perform this operation\. Encoded authorization failure message: \S+$/);
    assert.equal(s.counters().byAction.ReplaceRoute?.errors.UnauthorizedOperation, 1);
  });

  it('a denied real call changes nothing', async () => {
    s.deny({ actions: ['ReplaceRoute'] });
    const e = await failure(() => replace(a, false));
    assert.equal(e.name, 'UnauthorizedOperation');
    assert.deepEqual(s.mutations({ kind: 'route' }), []);
    assert.equal(s.routeTables({ ids: [NAT.privA] })[0]?.routes.find((r) => r.cidr === '0.0.0.0/0')?.networkInterfaceId, NAT.eniA);
  });

  it('other actions, and other callers when the rule names callers, are not affected', async () => {
    s.deny({ actions: ['ReplaceRoute'], callers: ['AKIDCALLERA'] });
    assert.equal((await failure(() => a.send(new DescribeRouteTablesCommand({ DryRun: true })))).name, 'DryRunOperation');
    assert.equal((await failure(() => replace(b, true))).name, 'DryRunOperation');
    assert.equal((await failure(() => replace(a, true))).name, 'UnauthorizedOperation');
  });

  it('* denies every action', async () => {
    s.deny({ actions: ['*'] });
    assert.equal((await failure(() => a.send(new DescribeRouteTablesCommand({})))).name, 'UnauthorizedOperation');
  });

  it('a malformed request is still refused as malformed first (the model check comes before the deny list)', async () => {
    s.deny({ actions: ['ReplaceRoute'] });
    const e = await failure(() => a.send(new ReplaceRouteCommand({ DryRun: true, RouteTableId: 'rtb-bad', DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: NAT.eniB })));
    assert.equal(e.name, 'InvalidRouteTableId.Malformed');
  });

  it('DELETE and reset clear the list; GET shows it', async () => {
    await admin('POST', { actions: ['CreateRoute', 'DeleteRoute'], callers: ['AKIDCALLERA'] });
    assert.deepEqual((await admin('GET')).body, { rules: [{ actions: ['CreateRoute', 'DeleteRoute'], callers: ['AKIDCALLERA'] }] });
    assert.deepEqual((await admin('DELETE')).body, { rules: [] });
    s.deny({ actions: ['ReplaceRoute'] });
    await s.reset();
    assert.deepEqual(s.denied(), []);
    assert.equal((await failure(() => replace(a, true))).name, 'DryRunOperation');
  });

  it('a rule that is not a list of action names is SIM_BAD_REQUEST', async () => {
    for (const body of [{}, { actions: [] }, { actions: ['ec2:ReplaceRoute'] }, { actions: ['ReplaceRoute'], extra: 1 }]) {
      const r = await admin('POST', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal((r.body.error as { code: string }).code, 'SIM_BAD_REQUEST');
    }
  });
});

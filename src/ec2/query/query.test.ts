// The EC2 query client's pure parts: the request body, error answers, the XML
// readers and the regional endpoint rule. The endpoint rule is checked against
// the AWS SDK's own EC2 endpoint rule set (@aws-sdk/client-ec2, a dev
// dependency kept for exactly such checks), which AWS generates from its
// published endpoint rules.
import { EC2Client } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ec2ServiceError, errorFromAnswer, queryBody } from './client.js';
import { regionalEndpoint } from './endpoint.js';
import { filterParams, listParams } from './params.js';
import { routeTableView } from './views.js';
import { items, parseXmlDocument, text } from './xml.js';

test('the body is Action, Version 2016-11-15, then the parameters, RFC 3986-encoded', () => {
  // AWS's page: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html (Version is 2016-11-15).
  const body = queryBody('DescribeInstances', { ...filterParams([{ name: 'tag:Name', values: ["nat a*", "b(1)!'"] }]), ...listParams('InstanceId', ['i-1', 'i-2']) });
  assert.equal(
    body,
    'Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=nat%20a%2A&Filter.1.Value.2=b%281%29%21%27&InstanceId.1=i-1&InstanceId.2=i-2',
  );
});

test("an EC2 error answer gives AWS's code, message and request id; a body that is not XML gives the status alone", () => {
  // The shape of AWS's example error answer: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html#api-error-response
  const e = errorFromAnswer(
    400,
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidRouteTableID.NotFound</Code><Message>The routeTable ID \'rtb-1\' does not exist</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>',
  );
  assert.ok(e instanceof Ec2ServiceError);
  assert.equal(e.name, 'InvalidRouteTableID.NotFound');
  assert.equal(e.message, "The routeTable ID 'rtb-1' does not exist");
  assert.deepEqual(e.$metadata, { httpStatusCode: 400, requestId: 'ea966190-f9aa-478e-9ede-example' });
  assert.equal(e.$fault, 'client');
  const proxy = errorFromAnswer(502, '<html>Bad gateway</html');
  assert.equal(proxy.name, 'UnknownError');
  assert.equal(proxy.$fault, 'server');
  assert.equal(proxy.$metadata.httpStatusCode, 502);
});

test('a list with one item, several items or none reads the same way; empty sets and absent elements are empty', () => {
  const { name, node } = parseXmlDocument(
    '<DescribeRouteTablesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><routeTableSet>' +
      '<item><routeTableId>rtb-1</routeTableId><vpcId>vpc-1</vpcId><routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state></item></routeSet><tagSet/><associationSet/></item>' +
      '<item><routeTableId>rtb-2</routeTableId><vpcId>vpc-1</vpcId><routeSet>' +
      '<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><instanceId>i-1</instanceId><networkInterfaceId>eni-1</networkInterfaceId><state>blackhole</state></item>' +
      '<item><destinationIpv6CidrBlock>2001:DB8::10/128</destinationIpv6CidrBlock><networkInterfaceId>eni-2</networkInterfaceId><state>active</state></item>' +
      '<item><destinationPrefixListId>pl-1</destinationPrefixListId><gatewayId>vpce-1</gatewayId><state>active</state></item>' +
      '<item><destinationCidrBlock>192.168.0.0/16</destinationCidrBlock><natGatewayId>nat-1</natGatewayId><state>active</state></item>' +
      '</routeSet><tagSet><item><key>Name</key><value>private &amp; more</value></item><item><key>empty</key><value/></item></tagSet>' +
      '<associationSet><item><main>true</main><associationState><state>associated</state></associationState></item><item><subnetId>subnet-1</subnetId><main>false</main><associationState><state>associated</state></associationState></item><item><subnetId>subnet-old</subnetId><associationState><state>disassociated</state></associationState></item></associationSet></item>' +
      '</routeTableSet><nextToken/></DescribeRouteTablesResponse>',
  );
  assert.equal(name, 'DescribeRouteTablesResponse');
  assert.equal(text(node, 'nextToken'), '');
  const [a, b] = items(node, 'routeTableSet').map(routeTableView);
  assert.deepEqual(a, { id: 'rtb-1', vpcId: 'vpc-1', main: false, subnetIds: [], tags: {}, routes: [{ destination: '10.0.0.0/16', target: { kind: 'other', id: 'local' }, state: 'active' }] });
  assert.deepEqual(b, {
    id: 'rtb-2',
    vpcId: 'vpc-1',
    main: true,
    subnetIds: ['subnet-1'],
    tags: { Name: 'private & more', empty: '' },
    routes: [
      { destination: '0.0.0.0/0', target: { kind: 'interface', networkInterfaceId: 'eni-1', instanceId: 'i-1' }, state: 'blackhole' },
      { destination: '2001:db8::10/128', target: { kind: 'interface', networkInterfaceId: 'eni-2' }, state: 'active' },
      { destination: 'pl-1', target: { kind: 'other', id: 'vpce-1' }, state: 'active' },
      { destination: '192.168.0.0/16', target: { kind: 'other', id: 'nat-1' }, state: 'active' },
    ],
  });
  assert.deepEqual(items(undefined, 'routeTableSet'), []);
});

test("the regional endpoint is the one AWS's own EC2 endpoint rules give, in every partition, with and without FIPS and dual-stack", () => {
  const client = new EC2Client({ region: 'us-east-1' });
  try {
    for (const region of ['us-east-1', 'eu-west-3', 'ap-southeast-5', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1'])
      for (const fips of [false, true])
        for (const dual of [false, true]) {
          const aws = client.config.endpointProvider({ Region: region, UseFIPS: fips, UseDualStack: dual });
          assert.equal(regionalEndpoint(region, fips, dual), aws.url.href.replace(/\/$/, ''), `${region} fips=${fips} dualstack=${dual}`);
        }
  } finally {
    client.destroy();
  }
});

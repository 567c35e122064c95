// The simulator's answers follow AWS's EC2 model: one successful call of
// every served action, and its XML walked against EC2_CONTRACT.shapes from
// the action's output shape. Every element must exist in its shape, with the
// model's type (booleans true/false, integers, ISO 8601 timestamps, enum
// values) and list wrapping (<xxxSet><item>...</item></xxxSet>). The protocol
// adds <requestId> at the top; actions without an output shape answer
// <return>true</return>, as each of their API reference pages lists under
// "Response Elements" (e.g. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteRoute.html).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EC2_CONTRACT } from '../../src/sim/contract/gen/index.js';
import { NEWER_THAN_MODEL } from '../../src/sim/contract/newer-than-model.js';
import type { OutputShape } from '../../src/sim/contract/types.js';
import { ACTIONS } from '../../src/sim/ec2-actions/index.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { ANY, ANYCAST_WORLD, NAT, NAT_WORLD, sim } from './helpers.js';
import { parseXml, type XmlElement } from './xml-tree.js';

const apiPage = (action: string): string => `https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_${action}.html`;
const SHAPES = EC2_CONTRACT.shapes;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Walks an element against a model shape; returns the problems and counts the elements seen. */
function walk(el: XmlElement, shapeName: string, path: string, problems: string[], seen: { n: number }): void {
  seen.n++;
  const shape: OutputShape | undefined = SHAPES[shapeName];
  if (shape === undefined) {
    problems.push(`${path}: the model has no shape ${shapeName}`);
    return;
  }
  if (shape.type === 'structure' || shape.type === 'list') {
    if (el.text.trim() !== '') problems.push(`${path}: text ${JSON.stringify(el.text.trim())} in a ${shape.type} (${shapeName})`);
    el.children.forEach((child, n) => {
      if (shape.type === 'list') {
        if (child.name !== shape.itemName) problems.push(`${path}/${child.name}: list ${shapeName} holds <${shape.itemName}> elements`);
        walk(child, shape.item, `${path}/${child.name}[${n}]`, problems, seen);
        return;
      }
      const member = shape.members[child.name];
      if (member === undefined) problems.push(`${path}/${child.name}: not a member of ${shapeName}`);
      else walk(child, member, `${path}/${child.name}`, problems, seen);
    });
    return;
  }
  if (el.children.length > 0) {
    problems.push(`${path}: child elements in a ${shape.type} (${shapeName})`);
    return;
  }
  const v = el.text;
  const bad = (why: string): void => void problems.push(`${path}: ${JSON.stringify(v)} ${why} (${shapeName})`);
  switch (shape.type) {
    case 'boolean':
      if (v !== 'true' && v !== 'false') bad('is not true or false');
      break;
    case 'integer':
    case 'long':
      if (!/^-?\d+$/.test(v)) bad('is not an integer');
      break;
    case 'float':
    case 'double':
      if (v.trim() === '' || !Number.isFinite(Number(v))) bad('is not a number');
      break;
    case 'timestamp':
      if (!ISO.test(v) || Number.isNaN(Date.parse(v))) bad('is not an ISO 8601 timestamp');
      break;
    default:
      break;
  }
  if (shape.enum !== undefined && !shape.enum.includes(v)) bad(`is not one of ${shape.enum.join(', ')}`);
}

/** Checks a whole answer of `action`; returns the parsed document. */
function checkAnswer(action: string, xml: string): XmlElement {
  const doc = parseXml(xml);
  assert.equal(doc.name, `${action}Response`);
  const c = EC2_CONTRACT.actions[action]!;
  const output = c.output !== undefined ? SHAPES[c.output] : undefined;
  const members: Record<string, string> = {
    requestId: 'String',
    ...(output === undefined ? { return: 'Boolean' } : output.type === 'structure' ? output.members : {}),
    ...(NEWER_THAN_MODEL[action]?.output ?? {}),
  };
  const problems: string[] = [];
  const seen = { n: 0 };
  assert.ok(doc.children.some((e) => e.name === 'requestId'), 'no requestId');
  for (const child of doc.children) {
    const m = members[child.name];
    if (m === undefined) problems.push(`/${child.name}: not a member of ${c.output ?? '(no output shape)'}`);
    else walk(child, m, `/${child.name}`, problems, seen);
  }
  assert.deepEqual(problems, [], `${action}: the answer does not follow the model`);
  assert.ok(seen.n >= 1);
  return doc;
}

const find = (el: XmlElement, name: string): string | undefined => {
  if (el.name === name && el.children.length === 0) return el.text;
  for (const c of el.children) {
    const v = find(c, name);
    if (v !== undefined) return v;
  }
  return undefined;
};

describe('answers follow the output shapes of AWS’s model', () => {
  const covered = new Set<string>();
  let s: Simulator;

  async function ok(action: string, params: Record<string, string>): Promise<XmlElement> {
    const r = await fetch(s.ec2Endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
    });
    const body = await r.text();
    assert.equal(r.status, 200, body);
    covered.add(action);
    return checkAnswer(action, body);
  }

  describe('on the anycast world (IPv6 VPC, a multi-interface instance)', () => {
    before(async () => {
      s = await sim(ANYCAST_WORLD);
    });
    after(async () => {
      await s.close();
    });
    for (const action of ['DescribeVpcs', 'DescribeSubnets', 'DescribeInstances', 'DescribeNetworkInterfaces', 'DescribeRouteTables'])
      it(`${action} (${apiPage(action)})`, async () => {
        await ok(action, {});
      });
    it(`DescribeInstanceAttribute instanceType (${apiPage('DescribeInstanceAttribute')})`, async () => {
      await ok('DescribeInstanceAttribute', { InstanceId: ANY.c, Attribute: 'instanceType' });
    });
  });

  describe('on the NAT-pair world, every action', () => {
    const made: Record<string, string> = {};
    const got = (doc: XmlElement, name: string): string => {
      const v = find(doc, name);
      assert.ok(v !== undefined, `no <${name}> in the answer`);
      return v;
    };
    before(async () => {
      s = await sim(NAT_WORLD);
    });
    after(async () => {
      await s.close();
    });

    const steps: [string, () => Record<string, string>, ((doc: XmlElement) => void)?][] = [
      ['DescribeRouteTables', () => ({})],
      ['DescribeInstances', () => ({})],
      ['DescribeInstanceStatus', () => ({ IncludeAllInstances: 'true' })],
      ['DescribeNetworkInterfaces', () => ({})],
      ['DescribeVpcs', () => ({})],
      ['DescribeSubnets', () => ({})],
      ['DescribeInstanceAttribute', () => ({ InstanceId: NAT.natA, Attribute: 'sourceDestCheck' })],
      ['CreateTags', () => ({ 'ResourceId.1': NAT.privA, 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' })],
      ['DeleteTags', () => ({ 'ResourceId.1': NAT.privA, 'Tag.1.Key': 'k' })],
      ['CreateRoute', () => ({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.1.1/32', NetworkInterfaceId: NAT.eniA })],
      ['ReplaceRoute', () => ({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.1.1/32', NetworkInterfaceId: NAT.eniB })],
      ['DeleteRoute', () => ({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.1.1/32' })],
      ['ModifyInstanceAttribute', () => ({ InstanceId: NAT.natA, 'SourceDestCheck.Value': 'false' })],
      ['ModifyNetworkInterfaceAttribute', () => ({ NetworkInterfaceId: NAT.eniB, 'SourceDestCheck.Value': 'false' })],
      [
        'CreateVpc',
        () => ({ CidrBlock: '10.9.0.0/16', 'TagSpecification.1.ResourceType': 'vpc', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'built' }),
        (doc) => void (made.vpc = got(doc, 'vpcId')),
      ],
      ['CreateSubnet', () => ({ VpcId: made.vpc!, CidrBlock: '10.9.1.0/24', AvailabilityZone: 'us-east-1a' }), (doc) => void (made.subnet = got(doc, 'subnetId'))],
      ['CreateRouteTable', () => ({ VpcId: made.vpc!, ClientToken: 'token-1' }), (doc) => void (made.table = got(doc, 'routeTableId'))],
      ['AssociateRouteTable', () => ({ RouteTableId: made.table!, SubnetId: made.subnet! }), (doc) => void (made.assoc = got(doc, 'associationId'))],
      ['DisassociateRouteTable', () => ({ AssociationId: made.assoc! })],
      [
        'RunInstances',
        () => ({ ImageId: 'ami-12345678', MinCount: '1', MaxCount: '1', SubnetId: NAT.subPrivA, 'TagSpecification.1.ResourceType': 'instance', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'run' }),
        (doc) => void (made.instance = got(doc, 'instanceId')),
      ],
      ['StopInstances', () => ({ 'InstanceId.1': NAT.natB })],
      ['StartInstances', () => ({ 'InstanceId.1': NAT.natB })],
      ['TerminateInstances', () => ({ 'InstanceId.1': made.instance! })],
      ['DescribeInstances', () => ({})],
      [
        'CreateNatGateway',
        () => ({ SubnetId: NAT.subPubA, AllocationId: 'eipalloc-0123456789abcdef0', ClientToken: 'token-2', 'TagSpecification.1.ResourceType': 'natgateway', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'ngw' }),
        (doc) => void (made.nat = got(doc, 'natGatewayId')),
      ],
      ['CreateRoute', () => ({ RouteTableId: NAT.privA, DestinationCidrBlock: '198.51.100.0/24', NatGatewayId: made.nat! })],
      ['DescribeRouteTables', () => ({ 'RouteTableId.1': NAT.privA }), (doc) => assert.equal(find(doc, 'natGatewayId'), made.nat)],
      ['DeleteNatGateway', () => ({ NatGatewayId: made.nat! })],
      ['DescribeNatGateways', () => ({}), (doc) => assert.ok(find(doc, 'deleteTime') !== undefined)],
      ['DescribeRouteTables', () => ({ 'RouteTableId.1': NAT.privA })],
    ];

    it('an impaired instance reports impairedSince (a timestamp) in DescribeInstanceStatus', async () => {
      s.setInstanceStatus(NAT.natA, { instance: 'impaired' });
      const doc = await ok('DescribeInstanceStatus', { IncludeAllInstances: 'true' });
      assert.ok(find(doc, 'impairedSince') !== undefined);
    });

    steps.forEach(([action, params, then], n) => {
      it(`${n + 1}. ${action} (${apiPage(action)})`, async () => {
        const doc = await ok(action, params());
        then?.(doc);
      });
    });
  });

  it('the walk catches what the model does not have (self-check)', () => {
    const doc = (body: string): string =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRouteTablesResponse xmlns="x"><requestId>r</requestId>${body}</DescribeRouteTablesResponse>`;
    assert.doesNotThrow(() => checkAnswer('DescribeRouteTables', doc('<routeTableSet><item><routeSet><item><state>active</state></item></routeSet></item></routeTableSet>')));
    for (const [bad, why] of [
      ['<routeTableSet><item><colour>red</colour></item></routeTableSet>', /colour: not a member of RouteTable/],
      ['<routeTableSet><member><vpcId>v</vpcId></member></routeTableSet>', /holds <item> elements/],
      ['<routeTableSet><item><routeSet><item><state>up</state></item></routeSet></item></routeTableSet>', /is not one of active, blackhole/],
      ['<routeTableSet><item><associationSet><item><main>yes</main></item></associationSet></item></routeTableSet>', /is not true or false/],
      ['<routeTableSet>text</routeTableSet>', /text "text" in a list/],
      ['<return>true</return>', /return: not a member/],
    ] as const)
      assert.throws(() => checkAnswer('DescribeRouteTables', doc(bad)), why);
    assert.throws(() => parseXml('<a><b></a>'), /expected <\/b>/);
  });

  it('covered every served action', () => {
    assert.deepEqual([...ACTIONS.keys()].filter((a) => !covered.has(a)), []);
  });
});

// Unit tests of the request contract's enforcement (enforce.ts) and of the
// simulator's filter implementations against AWS's documented filter names.
// The same rules are exercised over HTTP, for every action, in
// test/sim/contract.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTIONS } from '../ec2-actions/index.js';
import { Ec2Error } from '../errors.js';
import { implementedFilters } from '../filters.js';
import { wellFormedId } from '../ids.js';
import { Query } from '../query.js';
import { EC2_CONTRACT } from './gen/index.js';
import { ID_PARAMS, isDocumentedFilter, validateRequest } from './enforce.js';
import { NEWER_THAN_MODEL } from './newer-than-model.js';

const ERRORS_PAGE = 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html';
const apiPage = (action: string): string => `https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_${action}.html`;

const refusal = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof Ec2Error && e.code === code && e.status === 400 && (message === undefined || message.test(e.message));
const check = (action: string, params: Record<string, string>): void =>
  validateRequest(action, new Query(new Map(Object.entries({ Action: action, Version: '2016-11-15', ...params }))));

describe('filter implementations and the documentation', () => {
  for (const [name, def] of ACTIONS) {
    const documented = EC2_CONTRACT.actions[name]?.filters;
    if (documented === undefined) {
      it(`${name} takes no filters in AWS's model, and implements none (${apiPage(name)})`, () => assert.equal(def.filters, undefined));
      continue;
    }
    it(`${name} implements only filters AWS documents for it (${apiPage(name)})`, () => {
      assert.ok(def.filters !== undefined, `${name} documents filters but has no FilterSet`);
      assert.equal(def.filters.action, name);
      const undocumented = implementedFilters(def.filters).filter((f) => !documented.includes(f));
      assert.deepEqual(undocumented, [], `implemented but not documented for ${name}`);
    });
  }

  it('tag:<key> stands for tag: and any non-empty key, where documented', () => {
    assert.ok(isDocumentedFilter('DescribeRouteTables', 'tag:Name'));
    assert.ok(isDocumentedFilter('DescribeRouteTables', 'tag:aws:cloudformation:stack-name'));
    assert.ok(!isDocumentedFilter('DescribeRouteTables', 'tag:'));
    assert.ok(!isDocumentedFilter('DescribeRouteTables', 'tag:<key>'));
    assert.ok(!isDocumentedFilter('DescribeInstanceStatus', 'tag:Name'), 'DescribeInstanceStatus documents no tag filters');
  });
});

describe('AWS changes newer than the model', () => {
  for (const [action, lag] of Object.entries(NEWER_THAN_MODEL)) {
    it(`${action}: still missing from the model (else remove the entry) — ${lag.source}`, () => {
      const c = EC2_CONTRACT.actions[action];
      assert.ok(c !== undefined, `${action} is not served`);
      for (const p of Object.keys(lag.params)) assert.ok(!(p in c.params), `the model now has ${action} ${p}`);
      const out = c.output !== undefined ? EC2_CONTRACT.shapes[c.output] : undefined;
      for (const m of Object.keys(lag.output))
        assert.ok(out?.type !== 'structure' || !(m in out.members), `the model now has ${action} output ${m}`);
    });
  }
});

describe('resource ids', () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html: prefix, hyphen, then 8
  // (older) or 17 characters; the errors page (${ERRORS_PAGE}) gives i-xxxxxxxx and i-xxxxxxxxxxxxxxxxx.
  const cases: [string, string, boolean][] = [
    ['i', 'i-1234567890abcdef0', true],
    ['i', 'i-1a2b3c4d', true],
    ['rtb', 'rtb-0a0000000000000a1', true],
    ['i', 'i-123', false],
    ['i', 'i-1234567890abcdef', false],
    ['i', 'i-1234567890ABCDEF0', false],
    ['i', 'eni-1234567890abcdef0', false],
    ['rtb', 'rtb-nat-gw-a', false],
    ['rtb', '', false],
  ];
  for (const [prefix, id, want] of cases)
    it(`${id === '' ? '(empty)' : id} is ${want ? 'well formed' : 'malformed'} as a ${prefix}- id`, () => assert.equal(wellFormedId(prefix, id), want));

  for (const [param, { prefix, code }] of Object.entries(ID_PARAMS))
    it(`a malformed ${param} answers ${code} (${ERRORS_PAGE})`, () => {
      const action = Object.entries(EC2_CONTRACT.actions).find(([, c]) => c.required.length === 0 && (param in c.params || `${param}.N` in c.params))![0];
      const key = param in EC2_CONTRACT.actions[action]!.params ? param : `${param}.1`;
      assert.throws(() => check(action, { [key]: `${prefix}-123` }), refusal(code));
    });
});

describe('validateRequest', () => {
  it('names the first part of a wire name the action does not know, as AWS does', () => {
    assert.throws(() => check('DescribeRouteTables', { Bogus: 'x' }), refusal('UnknownParameter', /^The parameter Bogus is not recognized$/));
    assert.throws(() => check('DescribeRouteTables', { 'Filter.1.Bogus': 'x' }), refusal('UnknownParameter', /parameter Bogus /));
    assert.throws(() => check('DescribeRouteTables', { 'RouteTableId.0': 'rtb-00000001' }), refusal('UnknownParameter', /parameter RouteTableId /));
    assert.throws(() => check('DescribeRouteTables', { RouteTableId: 'rtb-00000001' }), refusal('UnknownParameter', /parameter RouteTableId /));
    assert.throws(() => check('DescribeInstanceStatus', { 'Filter.1.Name': 'instance-state-name', 'Filter.1.Value': 'x' }), refusal('UnknownParameter', /parameter Value /));
  });

  it('accepts the Signature Version 4 query parameters (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html)', () => {
    assert.doesNotThrow(() => check('DescribeVpcs', { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Date': '20140707T150456Z' }));
  });

  it('checks scalar types and enums from the model', () => {
    assert.throws(() => check('DescribeVpcs', { DryRun: 'yes' }), refusal('InvalidParameterValue', /DryRun/));
    assert.throws(() => check('DescribeVpcs', { MaxResults: 'ten' }), refusal('InvalidParameterValue'));
    assert.throws(() => check('DescribeInstanceAttribute', { InstanceId: 'i-00000001', Attribute: 'colour' }), refusal('InvalidParameterValue', /one of/));
    assert.throws(() => check('RunInstances', { MinCount: '1', MaxCount: '1', InstanceType: 'x9.huge' }), refusal('InvalidParameterValue', /values AWS's model lists/));
    assert.doesNotThrow(() => check('RunInstances', { MinCount: '1', MaxCount: '1', InstanceType: 't3.micro', 'MetadataOptions.HttpTokens': 'required' }));
  });

  it('refuses a missing required parameter with MissingParameter', () => {
    assert.throws(() => check('StopInstances', {}), refusal('MissingParameter', /parameter InstanceId$/));
    assert.throws(() => check('CreateTags', { 'ResourceId.1': 'i-00000001' }), refusal('MissingParameter', /parameter Tag$/));
  });

  it(`MaxResults outside the documented range and MaxResults with ids are refused (${apiPage('DescribeInstances')})`, () => {
    assert.throws(() => check('DescribeInstances', { MaxResults: '4' }), refusal('InvalidParameterValue', /between 5 and 1000/));
    assert.throws(() => check('DescribeRouteTables', { MaxResults: '101' }), refusal('InvalidParameterValue', /between 5 and 100/));
    assert.throws(() => check('DescribeInstances', { MaxResults: '5', 'InstanceId.1': 'i-00000001' }), refusal('InvalidParameterCombination'));
  });

  it(`more than 100 instance ids in DescribeInstanceStatus is InvalidRequest (${apiPage('DescribeInstanceStatus')})`, () => {
    const ids = Object.fromEntries(Array.from({ length: 101 }, (_, n) => [`InstanceId.${n + 1}`, `i-${String(n).padStart(8, '0')}`]));
    assert.throws(() => check('DescribeInstanceStatus', ids), refusal('InvalidRequest', /101 exceeds the maximum number of instance IDs/));
    delete ids['InstanceId.101'];
    assert.doesNotThrow(() => check('DescribeInstanceStatus', ids));
  });

  it('refuses a filter name the action does not document', () => {
    assert.throws(() => check('DescribeInstanceStatus', { 'Filter.1.Name': 'instance-id', 'Filter.1.Value.1': 'i-00000001' }), refusal('InvalidParameterValue', /^The filter 'instance-id' is invalid$/));
    assert.doesNotThrow(() => check('DescribeInstances', { 'Filter.1.Name': 'instance-id', 'Filter.1.Value.1': 'i-00000001' }));
  });
});

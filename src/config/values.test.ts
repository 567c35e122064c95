import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { editDistance, looseBool, looseNumber, substitute, suggest, unknownPlaceholders } from './values.js';

describe('loose scalars', () => {
  test('numbers may be strings', () => {
    assert.deepEqual(['80', ' 2 ', '0.5', 3, 'x', '', true].map(looseNumber), [80, 2, 0.5, 3, undefined, undefined, undefined]);
  });
  test('booleans may be the strings true and false in any case', () => {
    assert.deepEqual([true, 'true', 'False', 'yes', 1].map(looseBool), [true, true, false, undefined, undefined]);
  });
});

describe('placeholders', () => {
  const values = { az: 'eu-west-1a', region: 'eu-west-1', vpc_id: 'vpc-1', subnet_id: 'subnet-1', instance_id: 'i-1' };
  test('known names are substituted', () => {
    assert.equal(substitute('${instance_id} in ${az}/${region}', values), 'i-1 in eu-west-1a/eu-west-1');
  });
  test('unknown names are listed', () => {
    assert.deepEqual(unknownPlaceholders('${az} ${zone} ${}'), ['zone', '']);
  });
});

describe('suggestions', () => {
  test('a swap of two letters is one edit', () => assert.equal(editDistance('prot', 'port'), 1));
  test('a plural typo is suggested', () => assert.equal(suggest('healthcheck', ['healthchecks', 'poll_time']), 'healthchecks'));
  test('nothing close means no suggestion', () => assert.equal(suggest('zzzz', ['healthchecks', 'poll_time']), undefined));
});

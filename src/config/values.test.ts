import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { editDistance, looseBool, looseNumber, parseCidr, substitute, suggest, unknownPlaceholders } from './values.js';

describe('parseCidr', () => {
  const cases: [string, string, string | null][] = [
    ['a bare IPv4 address means /32', '10.1.2.3', '10.1.2.3/32'],
    ['a network with its prefix is kept', '10.0.0.0/8', '10.0.0.0/8'],
    ['the default route is a /0', '0.0.0.0/0', '0.0.0.0/0'],
    ['a bare IPv6 address means /128', '2001:db8::1', '2001:db8::1/128'],
    ['IPv6 is lower-cased and compressed', '2001:DB8:0000:0:0:0:0:10/128', '2001:db8::10/128'],
    ['the IPv6 default route is ::/0', '::/0', '::/0'],
    ['an octet over 255 is refused', '10.0.0.300/32', null],
    ['a prefix over 32 is refused', '10.0.0.0/33', null],
    ['a prefix over 128 is refused', '2001:db8::/129', null],
    ['a non-numeric prefix is refused', '10.0.0.0/x', null],
    ['a host name is refused', 'example.com/32', null],
    ['host bits under the prefix are refused', '10.0.0.1/8', null],
  ];
  for (const [name, input, want] of cases) {
    test(name, () => {
      const r = parseCidr(input);
      assert.equal(r.ok ? r.cidr.text : null, want);
    });
  }
  test('host bits name the network the user probably meant', () => {
    const r = parseCidr('192.168.1.77/24');
    assert.deepEqual(r, { ok: false, reason: 'host-bits', network: '192.168.1.0/24' });
  });
});

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

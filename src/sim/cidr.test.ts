import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrContains, hasHostBits, parseCidr } from './cidr.js';

describe('parseCidr', () => {
  const cases: [string, string | undefined][] = [
    ['10.0.0.0/16', '10.0.0.0/16'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.1.1/32', '192.168.1.1/32'],
    ['2001:DB8:0:0::1/128', '2001:db8::1/128'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['::/0', '::/0'],
    ['::ffff:1.2.3.4/128', '::ffff:102:304/128'],
    ['10.0.0.300/32', undefined],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0', undefined],
    ['2001:db8::/129', undefined],
    ['banana/8', undefined],
  ];
  for (const [input, want] of cases) {
    it(`reads ${input} as ${want ?? 'invalid'}`, () => {
      assert.equal(parseCidr(input)?.text, want);
    });
  }
});

describe('cidr relations', () => {
  const c = (s: string) => parseCidr(s)!;
  it('a subnet lies inside its VPC range', () => assert.equal(cidrContains(c('10.0.0.0/16'), c('10.0.3.0/24')), true));
  it('a neighbouring range is not inside', () => assert.equal(cidrContains(c('10.0.0.0/16'), c('10.1.0.0/24')), false));
  it('a wider range is not inside a narrower one', () => assert.equal(cidrContains(c('10.0.0.0/24'), c('10.0.0.0/16')), false));
  it('families never contain each other', () => assert.equal(cidrContains(c('::/0'), c('10.0.0.0/8')), false));
  it('host bits are detected', () => {
    assert.equal(hasHostBits(c('10.0.0.1/24')), true);
    assert.equal(hasHostBits(c('10.0.0.0/24')), false);
  });
});

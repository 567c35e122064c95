import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalCidr,
  canonicalIp,
  cidrContains,
  formatHostPort,
  hasHostBits,
  isIp,
  isLoopbackIp,
  networkOf,
  parseCidr,
  parseHostPort,
  parseIp,
} from './address.js';

describe('canonicalIp', () => {
  const cases: [string, string, string | undefined][] = [
    ['an IPv4 literal stays as it is', '10.1.2.3', '10.1.2.3'],
    ['the IPv6 loopback', '::1', '::1'],
    ['IPv6 written out in full is compressed', '0:0:0:0:0:0:0:1', '::1'],
    ['IPv6 is lower-cased and loses leading zeros', '2001:0DB8:0000:0000:0000:0000:0000:0010', '2001:db8::10'],
    ['the unspecified address', '::', '::'],
    ['the first of two equally long zero runs is compressed', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['a single zero group is not compressed', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['the longest zero run wins over an earlier shorter one', '1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['an IPv4-mapped address becomes hex groups', '::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['a host name is not an IP', 'localhost', undefined],
    ['an octet over 255 is refused', '10.0.0.256', undefined],
    ['a leading zero in an octet is refused', '10.0.0.01', undefined],
    ['brackets are not part of an address', '[::1]', undefined],
    ['an IPv6 zone is not a plain address', 'fe80::1%eth0', undefined],
    ['too many groups', '1:2:3:4:5:6:7:8:9', undefined],
    ['the empty string', '', undefined],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.equal(canonicalIp(input), want));

  test('matches what the WHATWG URL parser writes for the same addresses', () => {
    for (const ip of ['::1', '2001:DB8::0:1', '::ffff:10.0.0.1', 'fd00:0:0:0:0:0:0:1', '1:0:0:2:0:0:0:3'])
      assert.equal(canonicalIp(ip), new URL(`http://[${ip}]/`).hostname.slice(1, -1), ip);
  });
});

describe('parseIp and isIp', () => {
  test('the family and the numeric value', () => {
    assert.deepEqual(parseIp('10.0.0.1'), { family: 4, value: 0x0a000001n });
    assert.deepEqual(parseIp('::1'), { family: 6, value: 1n });
    assert.deepEqual(parseIp('::ffff:1.2.3.4'), { family: 6, value: 0xffff01020304n });
  });
  test('isIp takes what the operating system takes, an IPv6 zone included', () => {
    assert.deepEqual(['10.0.0.1', '::1', 'fe80::1%eth0', 'db.internal', '[::1]', ''].map(isIp), [true, true, true, false, false, false]);
  });
});

describe('isLoopbackIp', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['128.0.0.1', false],
    ['::', false],
    ['::ffff:127.0.0.1', false],
    ['localhost', false],
    ['[::1]', false],
  ];
  for (const [input, want] of cases) test(`${input} is ${want ? '' : 'not '}loopback`, () => assert.equal(isLoopbackIp(input), want));
});

describe('parseCidr and canonicalCidr', () => {
  const cases: [string, string, string | undefined][] = [
    ['a network with its prefix is kept', '10.0.0.0/8', '10.0.0.0/8'],
    ['the default route', '0.0.0.0/0', '0.0.0.0/0'],
    ['a bare IPv4 address means /32', '10.1.2.3', '10.1.2.3/32'],
    ['a bare IPv6 address means /128', '2001:db8::1', '2001:db8::1/128'],
    ['IPv6 is written canonically', '2001:DB8:0000:0:0:0:0:10/128', '2001:db8::10/128'],
    ['the IPv6 default route', '::/0', '::/0'],
    ['an IPv4-mapped block', '::ffff:1.2.3.4/128', '::ffff:102:304/128'],
    ['host bits are kept in the text', '10.0.0.1/24', '10.0.0.1/24'],
    ['an octet over 255 is refused', '10.0.0.300/32', undefined],
    ['a prefix over 32 is refused', '10.0.0.0/33', undefined],
    ['a prefix over 128 is refused', '2001:db8::/129', undefined],
    ['a non-numeric prefix is refused', '10.0.0.0/x', undefined],
    ['an empty prefix is refused', '10.0.0.0/', undefined],
    ['a host name is refused', 'example.com/32', undefined],
    ['surrounding spaces are the caller\'s business', ' 10.0.0.0/8', undefined],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.equal(canonicalCidr(input), want));

  test('without bareAddress a lone address is not a CIDR', () => {
    assert.equal(parseCidr('10.0.0.1'), undefined);
    assert.equal(parseCidr('10.0.0.1', { bareAddress: true })?.text, '10.0.0.1/32');
  });
  test('host bits and the network they belong to', () => {
    const c = parseCidr('192.168.1.77/24')!;
    assert.equal(hasHostBits(c), true);
    assert.equal(networkOf(c).text, '192.168.1.0/24');
    assert.equal(hasHostBits(networkOf(c)), false);
    assert.equal(networkOf(parseCidr('2001:db8::1/64')!).text, '2001:db8::/64');
  });
  test('containment', () => {
    const c = (s: string) => parseCidr(s, { bareAddress: true })!;
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.0.3.0/24')), true);
    assert.equal(cidrContains(c('10.0.0.0/16'), c('10.0.3.7')), true);
    assert.equal(cidrContains(c('10.0.0.0/24'), c('10.0.0.0/16')), false);
    assert.equal(cidrContains(c('::/0'), c('10.0.0.0/8')), false);
  });
});

describe('parseHostPort', () => {
  const cases: [string, string, Parameters<typeof parseHostPort>[1], { host: string; port: number } | undefined][] = [
    ['an IPv4 address and a port', '127.0.0.1:9273', {}, { host: '127.0.0.1', port: 9273 }],
    ['an IPv6 address in brackets and a port', '[::1]:80', {}, { host: '::1', port: 80 }],
    ['a host name and a port', 'localhost:80', {}, { host: 'localhost', port: 80 }],
    ['port 0 (any free port)', '127.0.0.1:0', {}, { host: '127.0.0.1', port: 0 }],
    ['the highest port', '127.0.0.1:65535', {}, { host: '127.0.0.1', port: 65535 }],
    ['a port over 65535 is refused', '127.0.0.1:65536', {}, undefined],
    ['a port of six digits is refused', '127.0.0.1:000080', {}, undefined],
    ['a missing port is refused', '127.0.0.1', {}, undefined],
    ['a missing port takes the default when there is one', '127.0.0.2', { defaultPort: 0 }, { host: '127.0.0.2', port: 0 }],
    ['an IPv6 address in brackets without a port', '[::1]', { defaultPort: 7 }, { host: '::1', port: 7 }],
    ['a bare IPv6 literal is an address without a port', '::1', { defaultPort: 0 }, { host: '::1', port: 0 }],
    ['a bare IPv6 literal never holds a port', '::1', {}, undefined],
    ['IPv6 with a port must be in brackets', '2001:db8::1:80', {}, undefined],
    ['brackets hold only IPv6', '[10.0.0.1]:80', {}, undefined],
    ['brackets holding a name are refused', '[localhost]:80', {}, undefined],
    ['empty brackets are refused', '[]:80', {}, undefined],
    ['an empty host is refused', ':80', {}, undefined],
    ['ipOnly refuses a host name', 'localhost:80', { ipOnly: true }, undefined],
    ['ipOnly takes an IPv6 literal', '[2001:DB8::1]:80', { ipOnly: true }, { host: '2001:DB8::1', port: 80 }],
    ['text after the port is refused', '127.0.0.1:80/x', {}, undefined],
  ];
  for (const [name, input, opts, want] of cases) test(name, () => assert.deepEqual(parseHostPort(input, opts), want));

  test('formatHostPort puts IPv6 in brackets and reads back', () => {
    assert.equal(formatHostPort('::1', 80), '[::1]:80');
    assert.equal(formatHostPort('127.0.0.1', 0), '127.0.0.1:0');
    for (const [h, p] of [['::1', 80], ['10.0.0.1', 1], ['localhost', 65535]] as const)
      assert.deepEqual(parseHostPort(formatHostPort(h, p)), { host: h, port: p });
  });
});

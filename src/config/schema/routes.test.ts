import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../index.js';
import { config, ruleTests } from '../testing.js';
import type { RuleCase } from '../testing.js';

const RULES: RuleCase[] = [
  {
    name: 'a route table given as text is not a mapping',
    yaml: 'routetables:\n  t: main\n',
    expect: [[ErrorCode.Type, 'routetables.t']],
    message: /must be a route table mapping \(got "main"\)/,
  },
  {
    name: 'a route table without find is missing it, and a find that is not a mapping says what a finder is',
    yaml: 'routetables:\n  t:\n    manage_routes: [{cidr: 10.0.0.1/32}]\n  u:\n    find: main\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [
      [ErrorCode.Missing, 'routetables.t.find'],
      [ErrorCode.Type, 'routetables.u.find'],
    ],
    message: /routetables\.u\.find: must be a finder mapping \(got "main"\)/,
  },
  {
    name: 'a CIDR with host bits set is refused, naming the network',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/24}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[0].cidr']],
    message: /host bits are set; the network is 10\.0\.0\.0\/24/,
  },
  {
    name: 'an IPv6 CIDR over /128 is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: "2001:db8::/129"}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[0].cidr']],
  },
  {
    name: 'instance must be SELF or an instance id',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, instance: i-0123456789abcdef0}, {cidr: 10.0.0.2/32, instance: self}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[1].instance']],
  },
  {
    name: 'an empty manage_routes is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: []\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes']],
  },
  {
    name: 'a route table without manage_routes is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n',
    expect: [[ErrorCode.Missing, 'routetables.t.manage_routes']],
  },
  {
    name: 'the same CIDR twice in one table is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1}, {cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[1].cidr']],
  },
  {
    name: 'the same route in two spellings is refused, naming it canonically',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: "2001:db8::1"}, {cidr: "2001:DB8:0:0::1/128"}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[1].cidr']],
    message: /"2001:db8::1\/128" is already managed by manage_routes\[0\] of this table/,
  },
  {
    name: 'two invalid CIDRs are each refused, not also reported as the same route',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.300}, {cidr: 10.0.0.300}]\n',
    expect: [
      [ErrorCode.Value, 'routetables.t.manage_routes[0].cidr'],
      [ErrorCode.Value, 'routetables.t.manage_routes[1].cidr'],
    ],
  },
  {
    name: 'a known placeholder in a finder value and a hook argument is accepted',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {key: az, value: "${az}"}}\n    manage_routes: [{cidr: 10.0.0.1/32, run_after_replace_route: [/bin/echo, "${instance_id} in ${region}"]}]\n',
    expect: [],
  },
  {
    name: 'a hook argument with a NUL character is refused',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {key: az, value: a}}\n    manage_routes: [{cidr: 10.0.0.1/32, run_after_replace_route: [/bin/echo, "a\\0b"]}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[0].run_after_replace_route']],
    message: /must not contain a NUL character/,
  },
  {
    name: 'an unknown placeholder is refused',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {key: az, value: "${zone}"}}\n    manage_routes: [{cidr: 10.0.0.1/32, run_after_delete_route: [/bin/echo, "${instanceid}"]}]\n',
    expect: [
      [ErrorCode.Placeholder, 'routetables.t.find.config.value'],
      [ErrorCode.Placeholder, 'routetables.t.manage_routes[0].run_after_delete_route'],
    ],
  },
  {
    name: 'priority must be a whole number from 0 to 100 and hold_down may be zero',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, priority: 101, hold_down: 0}, {cidr: 10.0.0.2/32, priority: 7, hold_down: -1}]\n',
    expect: [
      [ErrorCode.Value, 'routetables.t.manage_routes[0].priority'],
      [ErrorCode.Value, 'routetables.t.manage_routes[1].hold_down'],
    ],
  },
  {
    name: 'an empty hook list is refused',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, run_before_delete_route: []}]\n',
    expect: [[ErrorCode.Type, 'routetables.t.manage_routes[0].run_before_delete_route']],
  },
  {
    name: 'fallback must be a NAT gateway id, and peers needs both tag and value',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, fallback: igw-1234, peers: {tag: role}}, {cidr: 10.0.0.2/32, peers: {tag: role, value: "${zone}"}}]\n',
    expect: [
      [ErrorCode.Value, 'routetables.t.manage_routes[0].fallback'],
      [ErrorCode.Missing, 'routetables.t.manage_routes[0].peers.value'],
      [ErrorCode.Placeholder, 'routetables.t.manage_routes[1].peers.value'],
    ],
    message: /"igw-1234" is not a NAT gateway id/,
  },
  {
    name: 'a NAT gateway fallback on an IPv6 route is refused (NAT gateways carry IPv4 only)',
    yaml: 'routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: "2001:db8::1", fallback: nat-0123456789abcdef0}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.manage_routes[0].fallback']],
    message: /IPv4 traffic only/,
  },
  {
    name: 'handoff_timeout is at most 300 s, watch_time 0 or at least 1 s, and lifecycle takes only its own keys',
    yaml: 'handoff_timeout: 301\nwatch_time: 0.2\nlifecycle: {poll: 5, spot: true}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [
      [ErrorCode.Value, 'handoff_timeout'],
      [ErrorCode.Value, 'watch_time'],
      [ErrorCode.UnknownKey, 'lifecycle.spot'],
    ],
  },
];

describe('route rules', () => ruleTests(RULES));

describe('the route model', () => {
  test('a bare IP becomes a /32 or /128, and IPv6 is written canonically', () => {
    const c = config('routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.1.2.3}, {cidr: "2001:DB8:0:0::10"}, {cidr: "2001:db8:0:9::/64"}]\n');
    assert.deepEqual(
      c.routeTables[0]!.routes.map((r) => [r.cidr, r.family]),
      [['10.1.2.3/32', 4], ['2001:db8::10/128', 6], ['2001:db8:0:9::/64', 6]],
    );
  });

  test('peers, fallback and the hand-off settings reach the model; watch_time is on by default only when a route can be handed off', () => {
    const c = config('routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, peers: {tag: role, value: "nat-${az}"}, fallback: nat-0123456789abcdef0}]\n');
    const r = c.routeTables[0]!.routes[0]!;
    assert.deepEqual([r.peers, r.fallback], [{ tagKey: 'role', tagValue: 'nat-${az}' }, 'nat-0123456789abcdef0']);
    assert.deepEqual([c.watchTime, c.handoffOnStop, c.handoffTimeout], [10, false, 20]);
    assert.deepEqual(c.lifecycle, { poll: 5, spotInterruption: true, targetLifecycle: true, scheduledEvents: true, scheduledLead: 600, rebalance: false });
    // NAT64's prefix is the one IPv6 route a NAT gateway takes.
    const nat64 = config('routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: "64:ff9b::/96", fallback: nat-0123456789abcdef0}]\n');
    assert.equal(nat64.routeTables[0]!.routes[0]!.fallback, 'nat-0123456789abcdef0');
    const plain = config('routetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n');
    assert.equal(plain.watchTime, 0);
    const set = config('watch_time: 2\nhandoff_on_stop: true\nlifecycle: {poll: 0}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n');
    assert.deepEqual([set.watchTime, set.handoffOnStop, set.lifecycle.poll], [2, true, 0]);
  });

  test('healthcheck as one name or a list becomes a list', () => {
    const c = config(`healthchecks:\n  a: {type: ping, destination: 10.0.0.1, every: 1}\n  b: {type: ping, destination: 10.0.0.1, every: 1}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes: [{cidr: 10.0.0.1/32, healthcheck: a}, {cidr: 10.0.0.2/32, healthcheck: [a, b]}]\n`);
    assert.deepEqual(c.routeTables[0]!.routes.map((r) => r.healthchecks), [['a'], ['a', 'b']]);
  });
});

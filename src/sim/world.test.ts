import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorld, WorldError } from './world.js';

const base = `
vpcs:
  - { id: vpc-00000001, cidr: 10.0.0.0/16 }
subnets:
  - { id: subnet-00000001, vpc: vpc-00000001, az: us-east-1a, cidr: 10.0.1.0/24 }
`;

function problems(text: string): { path: string; line: number; message: string }[] {
  try {
    parseWorld(text, 'w.yaml');
  } catch (e) {
    assert.ok(e instanceof WorldError);
    assert.equal(e.code, 'SIM_WORLD');
    return e.problems.map((p) => ({ path: p.path, line: p.line, message: p.message }));
  }
  return [];
}

describe('parseWorld', () => {
  it('fills defaults for region, account, timing and instance settings', () => {
    const w = parseWorld(`${base}instances:\n  - { id: i-00000001, subnet: subnet-00000001, network_interfaces: [{ private_ip: 127.0.9.1 }] }\n`);
    assert.equal(w.region, 'us-east-1');
    assert.equal(w.account_id, '123456789012');
    assert.deepEqual(w.timing, {
      pending_ms: 0,
      stopping_ms: 0,
      shutting_down_ms: 0,
      terminated_visible_ms: 3_600_000,
      read_lag_ms: 0,
      nat_gateway_pending_ms: 0,
      nat_gateway_deleting_ms: 0,
      nat_gateway_deleted_visible_ms: 3_600_000,
    });
    assert.deepEqual(w.instances[0]?.metadata, { scheduled_events: [] });
    assert.deepEqual(w.nat_gateways, []);
    assert.equal(w.instances[0]?.imdsv2, 'required');
    assert.equal(w.instances[0]?.state, 'running');
    assert.equal(w.instances[0]?.network_interfaces[0]?.source_dest_check, true);
  });

  it('reports every problem at once with its key path and line', () => {
    const p = problems(`${base}instances:
  - id: i-00000001
    subnet: subnet-00000009
    network_interfaces:
      - { private_ip: 10.0.1.5 }
route_tables:
  - id: rtb-00000001
    vpc: vpc-00000001
    routes:
      - { cidr: 0.0.0.0/0, instance: i-00000002 }
`);
    const paths = p.map((x) => x.path).sort();
    assert.deepEqual(paths, [
      'instances[0].network_interfaces[0].private_ip',
      'instances[0].subnet',
      'route_tables[0].routes[0].instance',
    ]);
    assert.equal(p.find((x) => x.path === 'instances[0].subnet')?.line, 8);
  });

  it('rejects unknown keys', () => {
    assert.deepEqual(problems(`${base}vpcz: []\n`).map((x) => x.path), ['']);
  });

  it('rejects a route with two targets', () => {
    const p = problems(`${base}internet_gateways: [{ id: igw-00000001, vpc: vpc-00000001 }]
instances: [{ id: i-00000001, subnet: subnet-00000001, network_interfaces: [{ private_ip: 127.0.9.1 }] }]
route_tables:
  - { id: rtb-00000001, vpc: vpc-00000001, routes: [{ cidr: 0.0.0.0/0, gateway: igw-00000001, instance: i-00000001 }] }
`);
    assert.deepEqual(p.map((x) => x.path), ['route_tables[0].routes[0]']);
  });

  it('rejects an instance route to a multi-interface instance, as AWS would', () => {
    const p = problems(`${base}instances:
  - { id: i-00000001, subnet: subnet-00000001, network_interfaces: [{ private_ip: 127.0.9.1 }, { private_ip: 127.0.9.2 }] }
route_tables:
  - { id: rtb-00000001, vpc: vpc-00000001, routes: [{ cidr: 0.0.0.0/0, instance: i-00000001 }] }
`);
    assert.deepEqual(p.map((x) => x.path), ['route_tables[0].routes[0].instance']);
  });

  it('rejects two main tables in one VPC, duplicate ids and duplicate addresses', () => {
    const p = problems(`${base}instances:
  - { id: i-00000001, subnet: subnet-00000001, network_interfaces: [{ private_ip: 127.0.9.1 }] }
  - { id: i-00000001, subnet: subnet-00000001, network_interfaces: [{ private_ip: 127.0.9.1 }] }
route_tables:
  - { id: rtb-00000001, vpc: vpc-00000001, main: true }
  - { id: rtb-00000002, vpc: vpc-00000001, main: true }
`);
    assert.deepEqual(p.map((x) => x.path).sort(), [
      'instances[1].id',
      'instances[1].network_interfaces[0].private_ip',
      'route_tables[1].main',
    ]);
  });

  it('accepts an explicit local route for the VPC range and refuses one for another range', () => {
    assert.doesNotThrow(() => parseWorld(`${base}route_tables:\n  - { id: rtb-00000001, vpc: vpc-00000001, routes: [{ cidr: 10.0.0.0/16, gateway: local }] }\n`));
    const p = problems(`${base}route_tables:\n  - { id: rtb-00000001, vpc: vpc-00000001, routes: [{ cidr: 10.1.0.0/16, gateway: local }] }\n`);
    assert.deepEqual(p.map((x) => x.path), ['route_tables[0].routes[0].cidr']);
  });

  it('refuses an instance zone that is not its subnet’s', () => {
    const p = problems(`${base}instances:\n  - { id: i-00000001, az: us-east-1b, subnet: subnet-00000001, network_interfaces: [{ private_ip: 127.0.9.1 }] }\n`);
    assert.deepEqual(p.map((x) => x.path), ['instances[0].az']);
  });

  it('reads timing.terminated_visible_ms and timing.read_lag_ms, and reports bad values at their line and column', () => {
    const w = parseWorld(`${base}timing: { terminated_visible_ms: 0, read_lag_ms: 1500 }\n`);
    assert.equal(w.timing.terminated_visible_ms, 0);
    assert.equal(w.timing.read_lag_ms, 1500);
    try {
      parseWorld(`${base}timing:\n  terminated_visible_ms: -1\n  read_lag_ms: soon\n`, 'w.yaml');
      assert.fail('expected a WorldError');
    } catch (e) {
      assert.ok(e instanceof WorldError);
      const lines = e.message.split('\n').sort();
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^w\.yaml:7:3: timing\.terminated_visible_ms: /);
      assert.match(lines[1]!, /^w\.yaml:8:3: timing\.read_lag_ms: /);
    }
  });

  it('refuses ids the EC2 API would call malformed (prefix, then 8 or 17 lowercase letters or digits)', () => {
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
    const p = problems(`${base}route_tables:\n  - { id: rtb-1, vpc: vpc-00000001 }\n  - { id: rtb-0123456789ABCDEF0, vpc: vpc-00000001 }\n`);
    assert.deepEqual(p.map((x) => x.path), ['route_tables[0].id', 'route_tables[1].id']);
    assert.match(p[0]!.message, /8 or 17 lowercase letters or digits/);
    assert.doesNotThrow(() => parseWorld(`${base}route_tables:\n  - { id: rtb-0123456789abcdef0, vpc: vpc-00000001 }\n`));
  });

  it('reports YAML syntax errors with their line', () => {
    const p = problems('vpcs: [\n  - a\n');
    assert.ok(p.length > 0);
    assert.ok(p.every((x) => x.line >= 1));
  });
});

// The world file's checks beyond its schema: ids unique, references to VPCs,
// subnets, instances, interfaces, internet and NAT gateways that exist (and
// in the right VPC), CIDRs and addresses well formed, one main table per VPC,
// one table per subnet. Each problem is a key path and a message; world.ts locates them.
import { cidrContains, parseCidr, parseIpv4 } from './cidr.js';
import type { Seg, World } from './world.js';

/** Checks that go beyond the schema: references, CIDRs, addresses, duplicates. */
export function checkReferences(w: World): [Seg[], string][] {
  const out: [Seg[], string][] = [];
  const seen = new Set<string>();
  const unique = (path: Seg[], value: string): void => {
    if (seen.has(value)) out.push([path, `duplicate id ${value}`]);
    seen.add(value);
  };
  const vpcs = new Set(w.vpcs.map((v) => v.id));
  const subnets = new Map(w.subnets.map((s) => [s.id, s]));
  const igws = new Map(w.internet_gateways.map((g) => [g.id, g]));
  const instances = new Map(w.instances.map((i) => [i.id, i]));
  const enis = new Map<string, string>();
  w.vpcs.forEach((v, i) => {
    unique(['vpcs', i, 'id'], v.id);
    const c = parseCidr(v.cidr);
    if (c === undefined || c.family !== 4) out.push([['vpcs', i, 'cidr'], `not an IPv4 CIDR: ${v.cidr}`]);
    if (v.ipv6_cidr !== undefined && parseCidr(v.ipv6_cidr)?.family !== 6)
      out.push([['vpcs', i, 'ipv6_cidr'], `not an IPv6 CIDR: ${v.ipv6_cidr}`]);
  });
  w.subnets.forEach((s, i) => {
    unique(['subnets', i, 'id'], s.id);
    if (!vpcs.has(s.vpc)) out.push([['subnets', i, 'vpc'], `unknown VPC ${s.vpc}`]);
    if (parseCidr(s.cidr)?.family !== 4) out.push([['subnets', i, 'cidr'], `not an IPv4 CIDR: ${s.cidr}`]);
    if (!s.az.startsWith(w.region) || !/^[a-z]$/.test(s.az.slice(w.region.length)))
      out.push([['subnets', i, 'az'], `${s.az} is not an availability zone of ${w.region}`]);
  });
  w.internet_gateways.forEach((g, i) => {
    unique(['internet_gateways', i, 'id'], g.id);
    if (g.vpc !== undefined && !vpcs.has(g.vpc)) out.push([['internet_gateways', i, 'vpc'], `unknown VPC ${g.vpc}`]);
  });
  const nats = new Map(w.nat_gateways.map((g) => [g.id, g]));
  const natIps = new Set<string>();
  w.nat_gateways.forEach((g, i) => {
    unique(['nat_gateways', i, 'id'], g.id);
    const sub = subnets.get(g.subnet);
    if (sub === undefined) out.push([['nat_gateways', i, 'subnet'], `unknown subnet ${g.subnet}`]);
    // CreateNatGateway's AllocationId: "You cannot specify an Elastic IP address with a private NAT gateway."
    if (g.connectivity_type === 'private' && g.allocation_id !== undefined)
      out.push([['nat_gateways', i, 'allocation_id'], 'a private NAT gateway has no Elastic IP address']);
    if (g.private_ip !== undefined) {
      const ip = parseCidr(g.private_ip, { bareAddress: true });
      const range = sub !== undefined ? parseCidr(sub.cidr) : undefined;
      if (ip === undefined || ip.family !== 4 || g.private_ip.includes('/'))
        out.push([['nat_gateways', i, 'private_ip'], `not an IPv4 address: ${g.private_ip}`]);
      else if (range !== undefined && !cidrContains(range, ip))
        out.push([['nat_gateways', i, 'private_ip'], `${g.private_ip} is not in subnet ${g.subnet} (${sub?.cidr ?? '?'})`]);
      else if (natIps.has(`${g.subnet} ${g.private_ip}`)) out.push([['nat_gateways', i, 'private_ip'], `address ${g.private_ip} used twice`]);
      natIps.add(`${g.subnet} ${g.private_ip}`);
    }
  });
  const ips = new Set<string>();
  const ports = new Set<number>();
  w.instances.forEach((inst, i) => {
    unique(['instances', i, 'id'], inst.id);
    if (!subnets.has(inst.subnet)) out.push([['instances', i, 'subnet'], `unknown subnet ${inst.subnet}`]);
    else if (inst.az !== undefined && subnets.get(inst.subnet)?.az !== inst.az)
      out.push([['instances', i, 'az'], `${inst.az} is not the zone of subnet ${inst.subnet} (${subnets.get(inst.subnet)?.az ?? '?'})`]);
    if (inst.imds_port !== undefined) {
      if (ports.has(inst.imds_port)) out.push([['instances', i, 'imds_port'], `port ${inst.imds_port} used twice`]);
      ports.add(inst.imds_port);
    }
    const vpcOf = subnets.get(inst.subnet)?.vpc;
    inst.network_interfaces.forEach((n, j) => {
      const at: Seg[] = ['instances', i, 'network_interfaces', j];
      if (n.id !== undefined) {
        unique([...at, 'id'], n.id);
        enis.set(n.id, inst.id);
      }
      const ip = parseIpv4(n.private_ip);
      if (ip === undefined || ip >> 24n !== 127n)
        out.push([[...at, 'private_ip'], `must be an address in 127.0.0.0/8 (so tests can bind to it), got ${n.private_ip}`]);
      else if (ips.has(n.private_ip)) out.push([[...at, 'private_ip'], `address ${n.private_ip} used twice`]);
      ips.add(n.private_ip);
      if (n.subnet !== undefined) {
        const s = subnets.get(n.subnet);
        if (s === undefined) out.push([[...at, 'subnet'], `unknown subnet ${n.subnet}`]);
        else if (vpcOf !== undefined && s.vpc !== vpcOf)
          out.push([[...at, 'subnet'], `subnet ${n.subnet} is in another VPC than the instance`]);
      }
    });
  });
  const mains = new Map<string, number>();
  const assoc = new Set<string>();
  const targetCheck = (
    at: Seg[],
    vpc: string,
    t: { instance?: string; network_interface?: string; gateway?: string; nat_gateway?: string },
  ): void => {
    if (t.nat_gateway !== undefined) {
      const g = nats.get(t.nat_gateway);
      if (g === undefined) out.push([[...at, 'nat_gateway'], `unknown NAT gateway ${t.nat_gateway}`]);
      else if (subnets.get(g.subnet)?.vpc !== vpc) out.push([[...at, 'nat_gateway'], `NAT gateway ${t.nat_gateway} is in another VPC`]);
    }
    if (t.instance !== undefined) {
      const inst = instances.get(t.instance);
      if (inst === undefined) out.push([[...at, 'instance'], `unknown instance ${t.instance}`]);
      else if (inst.network_interfaces.length > 1)
        out.push([[...at, 'instance'], `instance ${t.instance} has several interfaces; name one with network_interface`]);
      else if (subnets.get(inst.subnet)?.vpc !== vpc) out.push([[...at, 'instance'], `instance ${t.instance} is in another VPC`]);
    }
    if (t.network_interface !== undefined) {
      const owner = enis.get(t.network_interface);
      if (owner === undefined) out.push([[...at, 'network_interface'], `unknown interface ${t.network_interface}`]);
      else if (subnets.get(instances.get(owner)?.subnet ?? '')?.vpc !== vpc)
        out.push([[...at, 'network_interface'], `interface ${t.network_interface} is in another VPC`]);
    }
    if (t.gateway === 'local') return;
    if (t.gateway !== undefined) {
      const g = igws.get(t.gateway);
      if (g === undefined) out.push([[...at, 'gateway'], `unknown internet gateway ${t.gateway}`]);
      else if (g.vpc !== vpc) out.push([[...at, 'gateway'], `internet gateway ${t.gateway} is not attached to ${vpc}`]);
    }
  };
  w.route_tables.forEach((t, i) => {
    unique(['route_tables', i, 'id'], t.id);
    if (!vpcs.has(t.vpc)) out.push([['route_tables', i, 'vpc'], `unknown VPC ${t.vpc}`]);
    if (t.main) {
      if (mains.has(t.vpc)) out.push([['route_tables', i, 'main'], `VPC ${t.vpc} already has a main route table`]);
      mains.set(t.vpc, i);
    }
    t.subnets.forEach((s, j) => {
      const sub = subnets.get(s);
      if (sub === undefined) out.push([['route_tables', i, 'subnets', j], `unknown subnet ${s}`]);
      else if (sub.vpc !== t.vpc) out.push([['route_tables', i, 'subnets', j], `subnet ${s} is in another VPC`]);
      if (assoc.has(s)) out.push([['route_tables', i, 'subnets', j], `subnet ${s} is associated with two route tables`]);
      assoc.add(s);
    });
    const dests = new Set<string>();
    t.routes.forEach((r, j) => {
      const c = parseCidr(r.cidr);
      if (c === undefined) out.push([['route_tables', i, 'routes', j, 'cidr'], `not a CIDR: ${r.cidr}`]);
      else if (dests.has(c.text)) out.push([['route_tables', i, 'routes', j, 'cidr'], `duplicate route ${c.text}`]);
      else dests.add(c.text);
      if (r.gateway === 'local' && c !== undefined) {
        const v = w.vpcs.find((x) => x.id === t.vpc);
        const ranges = [v?.cidr, v?.ipv6_cidr].flatMap((x) => (x !== undefined ? [parseCidr(x)?.text] : []));
        if (!ranges.includes(c.text))
          out.push([['route_tables', i, 'routes', j, 'cidr'], `a local route must be the VPC's range (${ranges.join(', ')}), got ${c.text}`]);
      }
      targetCheck(['route_tables', i, 'routes', j], t.vpc, r);
    });
  });
  w.generate.route_tables.forEach((g, i) => {
    if (!vpcs.has(g.vpc)) out.push([['generate', 'route_tables', i, 'vpc'], `unknown VPC ${g.vpc}`]);
    if (parseIpv4(g.first_destination) === undefined)
      out.push([['generate', 'route_tables', i, 'first_destination'], `not an IPv4 address: ${g.first_destination}`]);
    g.targets.forEach((t, j) =>
      targetCheck(
        ['generate', 'route_tables', i, 'targets', j],
        g.vpc,
        t.startsWith('i-') ? { instance: t } : { network_interface: t },
      ),
    );
  });
  return out;
}

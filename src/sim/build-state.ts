// Turns a checked world file into a fresh Ec2State (also used by the admin
// API's reset). Routes named in the world start with Origin `CreateRoute`;
// every table gets its VPC's `local` routes; a VPC without a main table in
// the file gets one. Times in instances' `metadata` are offsets from now
// (the start or the reset).
import type { Clock } from './clock.js';
import { formatIpv4, parseCidr, parseIpv4 } from './cidr.js';
import { macFor } from './ids.js';
import type { InstanceSignals, RouteTarget, Tags } from './model.js';
import { addNatGateway } from './ops/nat-gateways.js';
import { Ec2State } from './state.js';
import type { World } from './world.js';
import { defaultDescription } from './signals.js';

const tagMap = (t: Record<string, string>): Tags => new Map(Object.entries(t));

export function buildState(world: World, clock: Clock): Ec2State {
  const s = new Ec2State(clock, world.region, world.account_id, {
    pendingMs: world.timing.pending_ms,
    stoppingMs: world.timing.stopping_ms,
    shuttingDownMs: world.timing.shutting_down_ms,
    terminatedVisibleMs: world.timing.terminated_visible_ms,
    readLagMs: world.timing.read_lag_ms,
    natGatewayPendingMs: world.timing.nat_gateway_pending_ms,
    natGatewayDeletingMs: world.timing.nat_gateway_deleting_ms,
    natGatewayDeletedVisibleMs: world.timing.nat_gateway_deleted_visible_ms,
  });
  for (const v of world.vpcs) s.vpcs.set(v.id, { id: v.id, cidr: v.cidr, ipv6Cidr: v.ipv6_cidr, tags: tagMap(v.tags) });
  for (const sub of world.subnets)
    s.subnets.set(sub.id, { id: sub.id, vpcId: sub.vpc, az: sub.az, cidr: sub.cidr, tags: tagMap(sub.tags) });
  for (const g of world.internet_gateways) s.igws.set(g.id, { id: g.id, vpcId: g.vpc, tags: tagMap(g.tags) });
  for (const g of world.nat_gateways) {
    const allocationId = g.connectivity_type === 'public' ? (g.allocation_id ?? s.ids.next('eipalloc')) : undefined;
    addNatGateway(
      s,
      g.id,
      s.subnet(g.subnet),
      { subnetId: g.subnet, connectivityType: g.connectivity_type, allocationId, privateIp: g.private_ip, tags: tagMap(g.tags) },
      g.state,
    );
  }

  const wall = clock.wall();
  const at = (m: { in_ms?: number | undefined; time?: string | undefined }, fallbackMs: number): number =>
    m.time !== undefined ? Date.parse(m.time) : wall + (m.in_ms ?? fallbackMs);
  const signalsOf = (md: World['instances'][number]['metadata']): InstanceSignals => ({
    // Spot: "a warning that is issued two minutes before Amazon EC2 stops or terminates your Spot Instance".
    spotAction: md.spot_instance_action !== undefined ? { action: md.spot_instance_action.action, timeWall: at(md.spot_instance_action, 120_000) } : undefined,
    targetLifecycleState: md.autoscaling_target_lifecycle_state,
    scheduledEvents: md.scheduled_events.map((e) => {
      const notBefore = at(e, 0);
      return {
        eventId: s.ids.next('instance-event'),
        code: e.code,
        description: e.description ?? defaultDescription(e.code),
        notBeforeWall: notBefore,
        notAfterWall: e.duration_ms !== undefined ? notBefore + e.duration_ms : undefined,
      };
    }),
    rebalanceNoticeWall: md.rebalance_recommendation !== undefined ? at(md.rebalance_recommendation, 0) : undefined,
  });
  for (const w of world.instances) {
    const subnet = s.subnet(w.subnet);
    const eniIds: string[] = [];
    w.network_interfaces.forEach((n, index) => {
      const eniId = n.id ?? s.ids.next('eni');
      const eniSubnet = n.subnet !== undefined ? s.subnet(n.subnet) : subnet;
      eniIds.push(eniId);
      s.enis.set(eniId, {
        id: eniId,
        subnetId: eniSubnet.id,
        vpcId: eniSubnet.vpcId,
        az: eniSubnet.az,
        privateIp: n.private_ip,
        mac: macFor(eniId),
        sourceDestCheck: n.source_dest_check,
        attachment: {
          id: s.ids.next('eni-attach'),
          instanceId: w.id,
          deviceIndex: index,
          deleteOnTermination: n.delete_on_termination ?? index === 0,
          attachTimeWall: wall,
        },
        tags: tagMap(n.tags),
        description: index === 0 ? 'Primary network interface' : '',
      });
    });
    s.addInstance({
      id: w.id,
      az: subnet.az,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      state: w.state,
      phaseEndsAt: undefined,
      phaseCause: undefined,
      terminatedAt: undefined,
      eniIds,
      imdsV2Required: w.imdsv2 === 'required',
      iamRole: w.iam_role,
      tags: tagMap(w.tags),
      launchTimeWall: wall,
      instanceStatus: w.status.instance,
      systemStatus: w.status.system,
      imageId: 'ami-0123456789abcdef0',
      instanceType: 't3.micro',
      reservationId: s.ids.next('r'),
      signals: signalsOf(w.metadata),
    });
  }

  const targetOf = (t: {
    instance?: string | undefined;
    network_interface?: string | undefined;
    gateway?: string | undefined;
    nat_gateway?: string | undefined;
  }): RouteTarget => {
    if (t.gateway !== undefined && t.gateway !== 'local') return { kind: 'gateway', gatewayId: t.gateway };
    if (t.nat_gateway !== undefined) return { kind: 'nat', natGatewayId: t.nat_gateway };
    if (t.instance !== undefined) {
      const inst = s.instance(t.instance);
      return { kind: 'eni', eniId: inst.eniIds[0]!, instanceId: inst.id };
    }
    const eni = s.eni(t.network_interface!);
    return { kind: 'eni', eniId: eni.id, instanceId: eni.attachment?.instanceId };
  };

  const hasMain = new Set<string>();
  for (const t of world.route_tables) {
    const table = s.addRouteTable(t.id, s.vpc(t.vpc), tagMap(t.tags), t.main);
    if (t.main) hasMain.add(t.vpc);
    for (const sub of t.subnets) table.associations.push({ id: s.ids.next('rtbassoc'), main: false, subnetId: sub });
    for (const r of t.routes) {
      if (r.gateway === 'local') continue; // already there, from the VPC's ranges
      const c = parseCidr(r.cidr)!;
      table.routes.set(c.text, { dest: c.text, family: c.family, target: targetOf(r), origin: 'CreateRoute' });
    }
  }
  for (const v of s.vpcs.values()) if (!hasMain.has(v.id)) s.addRouteTable(s.ids.next('rtb'), v, new Map(), true);

  for (const g of world.generate.route_tables) {
    let dest = parseIpv4(g.first_destination)!;
    let k = 0;
    const targets = g.targets.map((t) => (t.startsWith('i-') ? { instance: t } : { network_interface: t }));
    for (let n = 1; n <= g.count; n++) {
      const id = `rtb-${g.id_prefix}${String(n).padStart(17 - g.id_prefix.length, '0')}`;
      const tags = new Map(Object.entries(g.tags).map(([k2, v]) => [k2, v.replaceAll('{n}', String(n))]));
      const table = s.addRouteTable(id, s.vpc(g.vpc), tags, false);
      for (let r = 0; r < g.routes_per_table; r++) {
        const text = `${formatIpv4(dest)}/32`;
        dest++;
        table.routes.set(text, { dest: text, family: 4, target: targetOf(targets[k % targets.length]!), origin: 'CreateRoute' });
        k++;
      }
    }
  }
  s.version++;
  return s;
}

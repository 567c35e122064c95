// EC2's XML entries → the planner's views. Element names are those of AWS's
// EC2 model (shapes Route, RouteTable, RouteTableAssociation, Tag,
// InstanceStatus, NetworkInterface, Instance, InstanceNetworkInterface,
// NatGateway); query.test.ts checks these readers against the AWS SDK's own
// deserializer on the same answers.
import { type NatGatewayView, type OwnerFacts, type RouteTableView, type RouteTarget, type RouteView } from '../../core/types.js';
import { canonicalCidr } from '../../net/address.js';
import type { InstanceView, InterfaceView } from '../port.js';
import { bool, child, int, items, text, type XmlNode } from './xml.js';

/** Targets other than an interface or instance, in the order the planner reports them. */
const OTHER_TARGETS = [
  'gatewayId',
  'natGatewayId',
  'transitGatewayId',
  'vpcPeeringConnectionId',
  'localGatewayId',
  'carrierGatewayId',
  'egressOnlyInternetGatewayId',
  'coreNetworkArn',
] as const;

function targetOf(r: XmlNode): RouteTarget {
  const eni = text(r, 'networkInterfaceId');
  const instanceId = text(r, 'instanceId');
  if (eni !== undefined) return { kind: 'interface', networkInterfaceId: eni, ...(instanceId !== undefined ? { instanceId } : {}) };
  if (instanceId !== undefined) return { kind: 'instance', instanceId };
  for (const k of OTHER_TARGETS) {
    const id = text(r, k);
    if (id !== undefined) return { kind: 'other', id };
  }
  return { kind: 'other', id: 'unknown' };
}

export function routeTableView(t: XmlNode): RouteTableView {
  const routes: RouteView[] = [];
  for (const r of items(t, 'routeSet')) {
    const dest = text(r, 'destinationCidrBlock') ?? text(r, 'destinationIpv6CidrBlock') ?? text(r, 'destinationPrefixListId');
    if (dest === undefined) continue;
    routes.push({ destination: canonicalCidr(dest) ?? dest, target: targetOf(r), state: text(r, 'state') === 'blackhole' ? 'blackhole' : 'active' });
  }
  const assoc = items(t, 'associationSet').filter((a) => text(child(a, 'associationState'), 'state') !== 'disassociated');
  return {
    id: text(t, 'routeTableId') ?? '',
    vpcId: text(t, 'vpcId') ?? '',
    main: assoc.some((a) => bool(a, 'main') === true),
    subnetIds: assoc.flatMap((a) => {
      const s = text(a, 'subnetId');
      return s !== undefined ? [s] : [];
    }),
    tags: tagsOf(t),
    routes,
  };
}

export function tagsOf(node: XmlNode): Record<string, string> {
  return Object.fromEntries(
    items(node, 'tagSet').flatMap((tag) => {
      const k = text(tag, 'key');
      return k !== undefined ? [[k, text(tag, 'value') ?? '']] : [];
    }),
  );
}

export function ownerFacts(s: XmlNode): OwnerFacts {
  const instanceStatus = text(child(s, 'instanceStatus'), 'status');
  const systemStatus = text(child(s, 'systemStatus'), 'status');
  return {
    state: text(child(s, 'instanceState'), 'name') ?? 'unknown',
    ...(instanceStatus !== undefined ? { instanceStatus } : {}),
    ...(systemStatus !== undefined ? { systemStatus } : {}),
  };
}

function privateIps(n: XmlNode): string[] {
  return items(n, 'privateIpAddressesSet').flatMap((p) => {
    const ip = text(p, 'privateIpAddress');
    return ip !== undefined ? [ip] : [];
  });
}

/** An interface as DescribeNetworkInterfaces lists it (NetworkInterface) or as DescribeInstances nests it (InstanceNetworkInterface). */
export function interfaceView(n: XmlNode, instanceId?: string): InterfaceView {
  const attachment = child(n, 'attachment');
  const owner = instanceId ?? text(attachment, 'instanceId');
  const privateIp = text(n, 'privateIpAddress');
  const deviceIndex = int(attachment, 'deviceIndex');
  const status = text(n, 'status');
  return {
    id: text(n, 'networkInterfaceId') ?? '',
    ...(owner !== undefined ? { instanceId: owner } : {}),
    ...(privateIp !== undefined ? { privateIp } : {}),
    privateIps: privateIps(n),
    sourceDestCheck: bool(n, 'sourceDestCheck') !== false,
    ...(deviceIndex !== undefined ? { deviceIndex } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

/** The instances of one DescribeInstances page (reservationSet → instancesSet). */
export function instanceViews(page: XmlNode): InstanceView[] {
  const out: InstanceView[] = [];
  for (const r of items(page, 'reservationSet'))
    for (const i of items(r, 'instancesSet')) {
      const id = text(i, 'instanceId');
      if (id === undefined) continue;
      out.push({ id, state: text(child(i, 'instanceState'), 'name') ?? 'unknown', interfaces: items(i, 'networkInterfaceSet').map((n) => interfaceView(n, id)) });
    }
  return out;
}

export function natGatewayView(g: XmlNode): NatGatewayView {
  const vpcId = text(g, 'vpcId');
  return { state: text(g, 'state') ?? 'unknown', ...(vpcId !== undefined ? { vpcId } : {}) };
}

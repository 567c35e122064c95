// CreateNatGateway and DeleteNatGateway on the state (two-step, see
// types.ts), and the NAT gateway records the world loader builds. A new
// gateway is `pending` for `timing.natGatewayPendingMs`, then `available`
// (or `failed`, with AWS's failure code, when its Elastic IP is already
// taken or a public gateway's VPC has no internet gateway); a deleted one is
// `deleting` for `timing.natGatewayDeletingMs`, then `deleted`; a deleted or
// failed one stays listed for `timing.natGatewayDeletedVisibleMs` (phases.ts
// then forgets it). Routes to it are never removed (state.ts shows them
// `blackhole`).
//
// AWS's pages: CreateNatGateway, DeleteNatGateway and the NatGateway data
// type (states, failureCode/failureMessage) in the EC2 API reference,
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNatGateway.html,
// .../API_DeleteNatGateway.html, .../API_NatGateway.html.
import { cidrContains, formatIpv4, parseCidr } from '../cidr.js';
import { Ec2Error, invalidValue, missing, notFound } from '../errors.js';
import { wellFormedId } from '../ids.js';
import type { NatGateway, Subnet, Tags } from '../model.js';
import type { Who } from '../mutations.js';
import type { Ec2State } from '../state.js';
import type { Apply } from './types.js';

export interface NatGatewaySpec {
  readonly subnetId: string;
  readonly connectivityType: 'public' | 'private';
  readonly allocationId: string | undefined;
  readonly privateIp: string | undefined;
  readonly tags: Tags;
}

/** Gateways that still hold their addresses (a deleted one has let them go). */
const live = (s: Ec2State): NatGateway[] => [...s.natGateways.values()].filter((g) => g.state !== 'deleted' && g.state !== 'failed');

/** The first address of the subnet after the four AWS reserves at its start that no live NAT gateway uses. */
export function freeNatIp(s: Ec2State, subnet: Subnet): string {
  const range = parseCidr(subnet.cidr);
  if (range === undefined) throw new Error(`subnet ${subnet.id} has no IPv4 range`);
  const used = new Set(live(s).filter((g) => g.subnetId === subnet.id).map((g) => g.privateIp));
  const size = 1n << BigInt(32 - range.prefix);
  for (let n = 4n; n < size - 1n; n++) {
    const ip = formatIpv4(range.addr + n);
    if (!used.has(ip)) return ip;
  }
  throw new Ec2Error('InsufficientFreeAddressesInSubnet', `Subnet ${subnet.id} has insufficient free addresses to create this NAT gateway`);
}

/** A stable documentation-range (203.0.113.0/24) address standing for the Elastic IP behind an allocation id. */
export function publicIpFor(allocationId: string): string {
  let h = 0;
  for (const c of allocationId) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `203.0.113.${(h % 254) + 1}`;
}

/** Adds a gateway record (the world loader's and CreateNatGateway's); no log entry. */
export function addNatGateway(
  s: Ec2State,
  id: string,
  subnet: Subnet,
  spec: NatGatewaySpec,
  state: NatGateway['state'],
  failure?: NatGateway['failure'],
): NatGateway {
  const wall = s.clock.wall();
  const g: NatGateway = {
    id,
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    state,
    connectivityType: spec.connectivityType,
    allocationId: spec.allocationId,
    publicIp: spec.allocationId !== undefined ? publicIpFor(spec.allocationId) : undefined,
    privateIp: spec.privateIp ?? freeNatIp(s, subnet),
    networkInterfaceId: s.ids.next('eni'),
    createTimeWall: wall,
    deleteTimeWall: state === 'deleted' ? wall : undefined,
    goneAt: undefined,
    failure,
    phaseEndsAt: undefined,
    phaseCause: undefined,
    tags: spec.tags,
  };
  s.natGateways.set(id, g);
  s.version++;
  if (state === 'deleted') s.phases.noteNatGone(g, s.clock.now());
  return g;
}

/**
 * The failure AWS reports on the gateway (NatGateway.failureCode and
 * failureMessage, in the words the data type documents) when it cannot be
 * created: its Elastic IP is already associated with another gateway, or a
 * public gateway's VPC has no internet gateway attached.
 */
function failureOf(s: Ec2State, subnet: Subnet, spec: NatGatewaySpec): NatGateway['failure'] {
  const eip = spec.allocationId;
  if (eip !== undefined && live(s).some((g) => g.allocationId === eip))
    return { code: 'Resource.AlreadyAssociated', message: `Elastic IP address ${eip} is already associated` };
  if (spec.connectivityType === 'public' && ![...s.igws.values()].some((g) => g.vpcId === subnet.vpcId))
    return { code: 'Gateway.NotAttached', message: `Network ${subnet.vpcId} has no Internet gateway attached` };
  return undefined;
}

export function prepareCreateNatGateway(s: Ec2State, spec: NatGatewaySpec, who: Who): Apply<NatGateway> {
  const subnet = s.subnet(spec.subnetId);
  const eip = spec.allocationId;
  // AllocationId: "[Public NAT gateways only] ... You cannot specify an Elastic IP address with a private NAT gateway."
  if (spec.connectivityType === 'private' && eip !== undefined)
    throw new Ec2Error('InvalidParameterCombination', 'You cannot specify an Elastic IP address with a private NAT gateway.');
  if (spec.connectivityType === 'public' && eip === undefined) throw missing('AllocationId');
  // The simulator has no Elastic IPs: any well-formed allocation id stands for one.
  if (eip !== undefined && !wellFormedId('eipalloc', eip)) throw notFound('allocation', 'InvalidAllocationID.NotFound', eip);
  if (spec.privateIp !== undefined) {
    const ip = parseCidr(spec.privateIp, { bareAddress: true });
    const range = parseCidr(subnet.cidr);
    if (ip === undefined || ip.family !== 4 || spec.privateIp.includes('/'))
      throw invalidValue('PrivateIpAddress', spec.privateIp, 'This is not a valid IPv4 address.');
    if (range !== undefined && !cidrContains(range, ip))
      throw invalidValue('PrivateIpAddress', spec.privateIp, `It is not in the range of subnet ${subnet.id} (${subnet.cidr}).`);
    if (live(s).some((g) => g.subnetId === subnet.id && g.privateIp === spec.privateIp))
      throw new Ec2Error('InvalidIPAddress.InUse', `Address ${spec.privateIp} is in use.`);
  } else freeNatIp(s, subnet); // InsufficientFreeAddressesInSubnet now rather than in the thunk
  return () => {
    const g = addNatGateway(s, s.ids.next('nat'), subnet, spec, 'pending', failureOf(s, subnet, spec));
    s.phases.enterNat(g, 'pending', s.timing.natGatewayPendingMs, who, 'created');
    return g;
  };
}

/**
 * DeleteNatGateway: `deleting`, then `deleted`. Deleting one already
 * `deleting` or `deleted` changes nothing and answers as the first call did
 * (what AWS answers then was not verified).
 */
export function prepareDeleteNatGateway(s: Ec2State, id: string, who: Who): Apply<NatGateway> {
  const g = s.natGateway(id);
  return () => {
    if (g.state !== 'deleting' && g.state !== 'deleted') s.phases.enterNat(g, 'deleting', s.timing.natGatewayDeletingMs, who);
    return g;
  };
}

// Route tables, associations, VPCs and subnets built through the API.
import { cidrContains, hasHostBits, parseCidr } from '../cidr.js';
import { Ec2Error, notFound } from '../errors.js';
import type { Association, RouteTable, Subnet, Tags, Vpc } from '../model.js';
import type { Who } from '../mutations.js';
import type { Ec2State } from '../state.js';
import type { Apply } from './types.js';

export function prepareCreateRouteTable(s: Ec2State, vpcId: string, tags: Tags, who: Who): Apply<RouteTable> {
  const vpc = s.vpc(vpcId);
  return () => {
    const t = s.addRouteTable(s.ids.next('rtb'), vpc, tags, false);
    s.record({ kind: 'resource', ...who, resourceId: t.id, detail: { vpcId } });
    return t;
  };
}

export function prepareAssociateRouteTable(s: Ec2State, tableId: string, subnetId: string, who: Who): Apply<Association> {
  const table = s.routeTable(tableId);
  const subnet = s.subnet(subnetId);
  if (subnet.vpcId !== table.vpcId)
    throw new Ec2Error('InvalidParameterValue', `Route table ${table.id} and subnet ${subnet.id} belong to different networks`);
  const existing = s.tableOfSubnet(subnetId);
  if (existing !== undefined)
    throw new Ec2Error(
      'Resource.AlreadyAssociated',
      `the specified association for route table ${table.id} conflicts with an existing association`,
    );
  return () => {
    const a: Association = { id: s.ids.next('rtbassoc'), main: false, subnetId };
    table.associations.push(a);
    s.record({ kind: 'resource', ...who, resourceId: table.id, detail: { associationId: a.id, subnetId } });
    return a;
  };
}

export function prepareDisassociateRouteTable(s: Ec2State, associationId: string, who: Who): Apply {
  for (const table of s.routeTables.values()) {
    const i = table.associations.findIndex((a) => a.id === associationId);
    if (i === -1) continue;
    const a = table.associations[i]!;
    if (a.main)
      throw new Ec2Error('InvalidParameterValue', `cannot disassociate the main route table association ${associationId}`);
    return () => {
      table.associations.splice(i, 1);
      s.record({ kind: 'resource', ...who, resourceId: table.id, detail: { associationId, subnetId: a.subnetId } });
    };
  }
  throw notFound('association', 'InvalidAssociationID.NotFound', associationId);
}

export function prepareCreateVpc(s: Ec2State, cidrText: string, tags: Tags, who: Who): Apply<Vpc> {
  const cidr = parseCidr(cidrText);
  if (cidr === undefined || cidr.family !== 4 || cidr.prefix < 16 || cidr.prefix > 28)
    throw new Ec2Error('InvalidVpc.Range', `The CIDR '${cidrText}' is invalid.`);
  return () => {
    const vpc: Vpc = { id: s.ids.next('vpc'), cidr: cidr.text, ipv6Cidr: undefined, tags };
    s.vpcs.set(vpc.id, vpc);
    s.addRouteTable(s.ids.next('rtb'), vpc, new Map(), true);
    s.record({ kind: 'resource', ...who, resourceId: vpc.id, detail: { cidr: cidr.text } });
    return vpc;
  };
}

export function prepareCreateSubnet(s: Ec2State, vpcId: string, cidrText: string, az: string | undefined, tags: Tags, who: Who): Apply<Subnet> {
  const vpc = s.vpc(vpcId);
  const cidr = parseCidr(cidrText);
  const vpcCidr = parseCidr(vpc.cidr);
  if (cidr === undefined || cidr.family !== 4 || hasHostBits(cidr) || cidr.prefix > 28 || vpcCidr === undefined || !cidrContains(vpcCidr, cidr))
    throw new Ec2Error('InvalidSubnet.Range', `The CIDR '${cidrText}' is invalid.`);
  for (const sub of s.subnets.values()) {
    if (sub.vpcId !== vpcId) continue;
    const other = parseCidr(sub.cidr);
    if (other !== undefined && (cidrContains(other, cidr) || cidrContains(cidr, other)))
      throw new Ec2Error('InvalidSubnet.Conflict', `The CIDR '${cidr.text}' conflicts with another subnet`);
  }
  const zone = az ?? `${s.region}a`;
  if (!zone.startsWith(s.region) || !/^[a-z]$/.test(zone.slice(s.region.length)))
    throw new Ec2Error('InvalidParameterValue', `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${s.region}a, ${s.region}b, ${s.region}c.`);
  return () => {
    const sub: Subnet = { id: s.ids.next('subnet'), vpcId, az: zone, cidr: cidr.text, tags };
    s.subnets.set(sub.id, sub);
    s.record({ kind: 'resource', ...who, resourceId: sub.id, detail: { vpcId, cidr: cidr.text, az: zone } });
    return sub;
  };
}

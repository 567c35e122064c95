// CreateRoute, ReplaceRoute and DeleteRoute on the state: validation that
// throws AWS's errors, then a thunk that makes the change and logs it.
import { parseCidr, type Cidr } from '../cidr.js';
import { Ec2Error, invalidValue, multipleInterfaces, notFound } from '../errors.js';
import type { RouteTable, RouteTarget } from '../model.js';
import type { Who } from '../mutations.js';
import type { Ec2State } from '../state.js';
import type { Apply, TargetInput } from './types.js';

/** Parses a destination; the parameter that carried it fixes the family (`destinationIpv6CidrBlock` is IPv6, anything else IPv4). */
function parseDest(value: string, param: string): Cidr {
  const c = parseCidr(value);
  if (c === undefined) throw invalidValue(param, value, 'This is not a valid CIDR block.');
  const family = param === 'destinationIpv6CidrBlock' ? 6 : 4;
  if (c.family !== family) throw invalidValue(param, value, `This is not a valid IPv${family} CIDR block.`);
  return c;
}

/** Resolves exactly one target into an interface, internet gateway or NAT gateway in the table's VPC. */
function resolveTarget(s: Ec2State, table: RouteTable, t: TargetInput): RouteTarget {
  if (t.natGatewayId !== undefined) {
    // Unknown (or deleted): InvalidNatGatewayID.NotFound, "The natGateway ID
    // 'nat-…' does not exist", as AWS answered CreateRoute in
    // https://github.com/boto/boto3/issues/779.
    const g = s.natGateways.get(t.natGatewayId);
    if (g === undefined || g.state === 'deleted') throw notFound('natGateway', 'InvalidNatGatewayID.NotFound', t.natGatewayId);
    sameNetwork(table, g.vpcId, g.id);
    return { kind: 'nat', natGatewayId: g.id };
  }
  if (t.instanceId !== undefined) {
    const inst = s.instance(t.instanceId);
    const attached = s.attachedEnis(inst);
    if (attached.length > 1) throw multipleInterfaces(inst.id);
    const eni = attached[0];
    if (eni === undefined)
      throw new Ec2Error('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be used as a route target.`);
    sameNetwork(table, eni.vpcId, inst.id);
    return { kind: 'eni', eniId: eni.id, instanceId: inst.id };
  }
  if (t.networkInterfaceId !== undefined) {
    const eni = s.eni(t.networkInterfaceId);
    sameNetwork(table, eni.vpcId, eni.id);
    return { kind: 'eni', eniId: eni.id, instanceId: eni.attachment?.instanceId };
  }
  const gw = t.gatewayId ?? '';
  const nat = s.natGateways.get(gw);
  // A NAT gateway named in GatewayId: "invalid value for parameter
  // gateway-id: nat-…" (AWS's answer quoted in
  // https://github.com/ansible-collections/amazon.aws/issues/2631); a deleted
  // one is InvalidGatewayID.NotFound like any unknown gateway
  // (https://github.com/devopsacademyau/academy/pull/906).
  if (nat !== undefined && nat.state !== 'deleted')
    throw new Ec2Error('InvalidParameterValue', `invalid value for parameter gateway-id: ${gw}`);
  const igw = s.igws.get(gw);
  if (igw === undefined) throw notFound('gateway', 'InvalidGatewayID.NotFound', gw);
  if (igw.vpcId !== table.vpcId)
    throw new Ec2Error('InvalidParameterValue', `route table ${table.id} and network gateway ${gw} belong to different networks`);
  return { kind: 'gateway', gatewayId: igw.id };
}

function sameNetwork(table: RouteTable, vpcId: string, what: string): void {
  if (vpcId !== table.vpcId)
    throw new Ec2Error('InvalidParameterValue', `route table ${table.id} and network gateway ${what} belong to different networks`);
}

export function prepareCreateRoute(s: Ec2State, tableId: string, dest: string, param: string, target: TargetInput, who: Who): Apply {
  const table = s.routeTable(tableId);
  const cidr = parseDest(dest, param);
  const resolved = resolveTarget(s, table, target);
  if (table.routes.has(cidr.text))
    throw new Ec2Error('RouteAlreadyExists', `The route identified by ${cidr.text} already exists.`);
  return () => {
    table.routes.set(cidr.text, { dest: cidr.text, family: cidr.family, target: resolved, origin: 'CreateRoute' });
    s.record({
      kind: 'route',
      ...who,
      routeTableId: table.id,
      cidr: cidr.text,
      before: null,
      after: s.targetView(table, resolved),
    });
  };
}

export function prepareReplaceRoute(s: Ec2State, tableId: string, dest: string, param: string, target: TargetInput, who: Who): Apply {
  const table = s.routeTable(tableId);
  const cidr = parseDest(dest, param);
  const route = table.routes.get(cidr.text);
  if (route === undefined)
    throw new Ec2Error(
      'InvalidParameterValue',
      `There is no route defined for '${cidr.text}' in the route table. Use CreateRoute instead.`,
    );
  if (route.target.kind === 'local')
    throw new Ec2Error('InvalidParameterValue', `cannot replace local route ${cidr.text} in route table ${table.id}`);
  const resolved = resolveTarget(s, table, target);
  return () => {
    const before = s.targetView(table, route.target);
    route.target = resolved;
    s.record({
      kind: 'route',
      ...who,
      routeTableId: table.id,
      cidr: cidr.text,
      before,
      after: s.targetView(table, resolved),
    });
  };
}

export function prepareDeleteRoute(s: Ec2State, tableId: string, dest: string, param: string, who: Who): Apply {
  const table = s.routeTable(tableId);
  const cidr = parseDest(dest, param);
  const route = table.routes.get(cidr.text);
  if (route === undefined)
    throw new Ec2Error(
      'InvalidRoute.NotFound',
      `no route with destination-cidr-block ${cidr.text} in route table ${table.id}`,
    );
  if (route.target.kind === 'local')
    throw new Ec2Error('InvalidParameterValue', `cannot remove local route ${cidr.text} in route table ${table.id}`);
  return () => {
    const before = s.targetView(table, route.target);
    table.routes.delete(cidr.text);
    s.record({ kind: 'route', ...who, routeTableId: table.id, cidr: cidr.text, before, after: null });
  };
}

// Plain snapshots of the state for the programmatic API and the admin API:
// the visible instances with their interfaces, and route tables with each
// route as DescribeRouteTables shows it (never lagged: the state as it is).
import type { InstanceInfo, NatGatewaySnapshot, RouteTableSnapshot } from './simulator-api.js';
import type { Ec2State } from './state.js';

/** The instances visible now (terminated ones past `timing.terminatedVisibleMs` are gone, as in AWS's describe calls). */
export function instanceInfos(s: Ec2State, imdsEndpoint: (instanceId: string) => string): InstanceInfo[] {
  s.settle();
  return s.visibleInstances().map((i) => {
    const enis = s.attachedEnis(i);
    return {
      instanceId: i.id,
      privateIp: enis[0]?.privateIp ?? null,
      imdsEndpoint: imdsEndpoint(i.id),
      availabilityZone: i.az,
      subnetId: i.subnetId,
      vpcId: i.vpcId,
      state: i.state,
      networkInterfaces: enis.map((e) => ({
        networkInterfaceId: e.id,
        privateIp: e.privateIp,
        mac: e.mac,
        deviceIndex: e.attachment?.deviceIndex ?? null,
        sourceDestCheck: e.sourceDestCheck,
      })),
    };
  });
}

/** Every route table, or those of one VPC or with the given ids. */
export function routeTableSnapshots(s: Ec2State, filter: { vpcId?: string; ids?: readonly string[] } = {}): RouteTableSnapshot[] {
  s.settle();
  return [...s.routeTables.values()]
    .filter((t) => (filter.vpcId === undefined || t.vpcId === filter.vpcId) && (filter.ids === undefined || filter.ids.includes(t.id)))
    .map((t) => ({
      routeTableId: t.id,
      vpcId: t.vpcId,
      main: t.associations.some((a) => a.main),
      subnets: t.associations.flatMap((a) => (a.subnetId !== undefined ? [a.subnetId] : [])),
      tags: Object.fromEntries(t.tags),
      routes: [...t.routes.values()].map((r) => {
        const v = s.targetView(t, r.target);
        return {
          cidr: r.dest,
          state: v.state,
          origin: r.origin,
          ...(v.gatewayId !== undefined ? { gatewayId: v.gatewayId } : {}),
          ...(v.instanceId !== undefined ? { instanceId: v.instanceId } : {}),
          ...(v.natGatewayId !== undefined ? { natGatewayId: v.natGatewayId } : {}),
          ...(v.networkInterfaceId !== undefined ? { networkInterfaceId: v.networkInterfaceId } : {}),
        };
      }),
    }));
}

/** Every NAT gateway still listed (deleted and failed ones for `timing.natGatewayDeletedVisibleMs`), in creation order. */
export function natGatewaySnapshots(s: Ec2State): NatGatewaySnapshot[] {
  s.settle();
  return [...s.natGateways.values()].map((g) => ({
    natGatewayId: g.id,
    subnetId: g.subnetId,
    vpcId: g.vpcId,
    state: g.state,
    connectivityType: g.connectivityType,
    privateIp: g.privateIp,
    ...(g.publicIp !== undefined ? { publicIp: g.publicIp } : {}),
    tags: Object.fromEntries(g.tags),
  }));
}

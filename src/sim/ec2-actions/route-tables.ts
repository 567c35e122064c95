// DescribeRouteTables, CreateRouteTable, AssociateRouteTable, DisassociateRouteTable.
import { compileFilters, type FilterSet } from '../filters.js';
import type { RouteTable } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import type { RouteView } from './render-cache.js';
import type { ActionDef } from './types.js';
import { ok } from './types.js';
import { prepareAssociateRouteTable, prepareCreateRouteTable, prepareDisassociateRouteTable } from '../ops/network.js';

interface Row {
  readonly t: RouteTable;
  readonly route: (field: keyof RouteView) => readonly (string | undefined)[];
}

const routeField =
  (field: keyof RouteView) =>
  (r: Row): readonly (string | undefined)[] =>
    r.route(field);

const none = (): readonly string[] => [];

/**
 * DescribeRouteTables filters: every name AWS documents for the action.
 * Those on targets the simulator does not model (transit gateways, peering,
 * egress-only gateways, prefix-list destinations) match no table.
 */
export const routeTableFilters: FilterSet<Row, Ec2State> = {
  action: 'DescribeRouteTables',
  tags: (r) => r.t.tags,
  defs: {
    'vpc-id': (r) => [r.t.vpcId],
    'route-table-id': (r) => [r.t.id],
    'owner-id': (_r, s) => [s.accountId],
    // As in AWS: each association offers its own main flag, so a table without
    // associations matches neither value, and a main table with explicit
    // subnet associations matches both.
    'association.main': (r) => r.t.associations.map((a) => (a.main ? 'true' : 'false')),
    'association.subnet-id': (r) => r.t.associations.map((a) => a.subnetId),
    'association.route-table-association-id': (r) => r.t.associations.map((a) => a.id),
    'association.route-table-id': (r) => (r.t.associations.length > 0 ? [r.t.id] : []),
    'route.destination-cidr-block': routeField('destinationCidrBlock'),
    'route.destination-ipv6-cidr-block': routeField('destinationIpv6CidrBlock'),
    'route.instance-id': routeField('instanceId'),
    'route.gateway-id': routeField('gatewayId'),
    'route.state': routeField('state'),
    'route.origin': routeField('origin'),
    'route.nat-gateway-id': routeField('natGatewayId'),
    'route.transit-gateway-id': none,
    'route.vpc-peering-connection-id': none,
    'route.egress-only-internet-gateway-id': none,
    'route.destination-prefix-list-id': none,
  },
};

export const describeRouteTables: ActionDef = {
  name: 'DescribeRouteTables',
  kind: 'describe',
  filters: routeTableFilters,
  run({ state, q, cache }) {
    const ids = q.list('RouteTableId');
    const specs = q.filters();
    const match = compileFilters(routeTableFilters, specs, state);
    const base = ids.length > 0 ? ids.map((id) => state.routeTable(id)) : [...state.routeTables.values()];
    // Routes and their states as of the read lag (undefined: no lag, read the state itself).
    const lag = state.laggedView();
    const rows = specs.length === 0 ? base : base.filter((t) => match({ t, route: (f) => cache.routeField(state, t, f, lag) }));
    const page = paginate('DescribeRouteTables', rows, q.maxResults(), q.str('NextToken'));
    return (): XmlObject => ({
      routeTableSet: page.items.map((t) => cache.routeTableXml(state, t, lag)),
      nextToken: page.nextToken,
    });
  },
};

export const createRouteTable: ActionDef = {
  name: 'CreateRouteTable',
  kind: 'mutate',
  run({ state, q, who, cache }) {
    const apply = prepareCreateRouteTable(state, q.req('VpcId'), q.tagSpecs('route-table'), who);
    return () => {
      const t = apply();
      return { routeTable: cache.routeTableXml(state, t), clientToken: q.str('ClientToken') };
    };
  },
};

export const associateRouteTable: ActionDef = {
  name: 'AssociateRouteTable',
  kind: 'mutate',
  run({ state, q, who }) {
    q.rejectUnsupported(['GatewayId']);
    const apply = prepareAssociateRouteTable(state, q.req('RouteTableId'), q.req('SubnetId'), who);
    return () => {
      const a = apply();
      return { associationId: a.id, associationState: { state: 'associated' } };
    };
  },
};

export const disassociateRouteTable: ActionDef = {
  name: 'DisassociateRouteTable',
  kind: 'mutate',
  run({ state, q, who }) {
    const apply = prepareDisassociateRouteTable(state, q.req('AssociationId'), who);
    return () => {
      apply();
      return ok();
    };
  },
};

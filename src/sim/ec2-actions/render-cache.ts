// Route tables serialized once per state version: DescribeRouteTables on a
// 200-table world mostly concatenates cached strings, and filters read the
// cached route views instead of recomputing targets. Under read lag, a table
// that looked different at the read time is rendered for that request only
// (kept with its ReadView, never in the shared cache); the others are the
// same then as now and come from the cache.
import type { Route, RouteTable, RouteTarget } from '../model.js';
import { tagsToXml } from '../model.js';
import type { ReadView } from '../read-lag.js';
import type { TargetView } from '../mutations.js';
import type { Ec2State } from '../state.js';
import { Raw, xmlFields, type XmlObject } from '../xml.js';

export interface RouteView extends TargetView {
  readonly destinationCidrBlock?: string;
  readonly destinationIpv6CidrBlock?: string;
  readonly origin: string;
}

interface Entry {
  readonly version: number;
  readonly views: readonly RouteView[];
  readonly xml: Raw;
  /** Per-field value lists for route filters, filled on first use. */
  readonly fields: Map<keyof RouteView, readonly (string | undefined)[]>;
}

export class RenderCache {
  private readonly tables = new Map<string, Entry>();
  /** Tables as a lagged read saw them, per request (the ReadView lives as long as its request). */
  private readonly lagged = new WeakMap<ReadView, Map<string, Entry>>();

  routeViews(state: Ec2State, t: RouteTable, lag?: ReadView): readonly RouteView[] {
    return this.pick(state, t, lag).views;
  }

  /** One field of every route of a table (e.g. all destinations), cached with the table. */
  routeField(state: Ec2State, t: RouteTable, field: keyof RouteView, lag?: ReadView): readonly (string | undefined)[] {
    const e = this.pick(state, t, lag);
    let values = e.fields.get(field);
    if (values === undefined) {
      values = e.views.map((v) => v[field]);
      e.fields.set(field, values);
    }
    return values;
  }

  routeTableXml(state: Ec2State, t: RouteTable, lag?: ReadView): Raw {
    return this.pick(state, t, lag).xml;
  }

  private pick(state: Ec2State, t: RouteTable, lag: ReadView | undefined): Entry {
    if (lag === undefined || !lag.affects(t)) return this.entry(state, t);
    let tables = this.lagged.get(lag);
    if (tables === undefined) {
      tables = new Map();
      this.lagged.set(lag, tables);
    }
    let e = tables.get(t.id);
    if (e === undefined) {
      e = render(state, t, lag.routesOf(t), (target) => lag.targetView(t, target));
      tables.set(t.id, e);
    }
    return e;
  }

  private entry(state: Ec2State, t: RouteTable): Entry {
    const hit = this.tables.get(t.id);
    if (hit !== undefined && hit.version === state.version) return hit;
    const e = render(state, t, t.routes.values(), (target) => state.targetView(t, target));
    this.tables.set(t.id, e);
    return e;
  }
}

function render(state: Ec2State, t: RouteTable, routes: Iterable<Route>, viewOf: (target: RouteTarget) => TargetView): Entry {
  const views: RouteView[] = [...routes].map((r) => ({
    ...(r.family === 4 ? { destinationCidrBlock: r.dest } : { destinationIpv6CidrBlock: r.dest }),
    ...viewOf(r.target),
    origin: r.origin,
  }));
  const body: XmlObject = {
    routeTableId: t.id,
    vpcId: t.vpcId,
    ownerId: state.accountId,
    routeSet: views.map((v) => ({
      destinationCidrBlock: v.destinationCidrBlock,
      destinationIpv6CidrBlock: v.destinationIpv6CidrBlock,
      gatewayId: v.gatewayId,
      instanceId: v.instanceId,
      instanceOwnerId: v.instanceOwnerId,
      natGatewayId: v.natGatewayId,
      networkInterfaceId: v.networkInterfaceId,
      origin: v.origin,
      state: v.state,
    })),
    associationSet: t.associations.map((a) => ({
      routeTableAssociationId: a.id,
      routeTableId: t.id,
      subnetId: a.subnetId,
      main: a.main,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    tagSet: tagsToXml(t.tags),
  };
  return { version: state.version, views, xml: new Raw(xmlFields(body)), fields: new Map() };
}

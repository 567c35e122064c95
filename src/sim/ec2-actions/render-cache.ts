// Route tables serialized once per state version: DescribeRouteTables on a
// 200-table world mostly concatenates cached strings, and filters read the
// cached route views instead of recomputing targets.
import type { RouteTable } from '../model.js';
import { tagsToXml } from '../model.js';
import type { Ec2State, TargetView } from '../state.js';
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

  routeViews(state: Ec2State, t: RouteTable): readonly RouteView[] {
    return this.entry(state, t).views;
  }

  /** One field of every route of a table (e.g. all destinations), cached with the table. */
  routeField(state: Ec2State, t: RouteTable, field: keyof RouteView): readonly (string | undefined)[] {
    const e = this.entry(state, t);
    let values = e.fields.get(field);
    if (values === undefined) {
      values = e.views.map((v) => v[field]);
      e.fields.set(field, values);
    }
    return values;
  }

  routeTableXml(state: Ec2State, t: RouteTable): Raw {
    return this.entry(state, t).xml;
  }

  private entry(state: Ec2State, t: RouteTable): Entry {
    const hit = this.tables.get(t.id);
    if (hit !== undefined && hit.version === state.version) return hit;
    const views: RouteView[] = [...t.routes.values()].map((r) => ({
      ...(r.family === 4 ? { destinationCidrBlock: r.dest } : { destinationIpv6CidrBlock: r.dest }),
      ...state.targetView(t, r.target),
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
    const e: Entry = { version: state.version, views, xml: new Raw(xmlFields(body)), fields: new Map() };
    this.tables.set(t.id, e);
    return e;
  }
}

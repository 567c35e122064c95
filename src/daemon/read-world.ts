// One pass's view of EC2, read cheaply: one DescribeRouteTables filtered by
// our VPC (paginated), then — only when backups need them — one batched
// DescribeNetworkInterfaces for interfaces not seen before (an interface's
// private IP never changes, so it is cached) and one batched
// DescribeInstanceStatus for the current owners of our routes.
import type { Config } from '../config/model.js';
import type { Identity, OwnerFacts, RouteTableView } from '../core/types.js';
import type { Ec2Port } from '../ec2/port.js';

export interface InterfaceFacts {
  readonly ip?: string;
  readonly instanceId?: string;
}

export interface World {
  readonly tables: readonly RouteTableView[];
  readonly owners: Readonly<Record<string, OwnerFacts>>;
  readonly interfaceIps: Readonly<Record<string, string>>;
  readonly interfaceOwners: Readonly<Record<string, string>>;
}

/** Interface id -> facts; kept across passes. */
export type InterfaceCache = Map<string, InterfaceFacts>;

export interface ReadOptions {
  /** Read only these tables (re-reading before a takeover); default: the whole VPC. */
  readonly routeTableIds?: readonly string[];
  /** Read tables in every VPC of the region (config `all_vpcs: true`); default: our VPC only. */
  readonly allVpcs?: boolean;
}

export async function readWorld(
  ec2: Ec2Port,
  config: Config,
  me: Identity,
  cache: InterfaceCache,
  opts: ReadOptions = {},
): Promise<World> {
  const tables = await ec2.describeRouteTables({
    ...(opts.allVpcs === true ? {} : { vpcId: me.vpcId }),
    ...(opts.routeTableIds !== undefined ? { routeTableIds: opts.routeTableIds } : {}),
  });
  const managed = new Set(config.routeTables.flatMap((t) => t.routes.map((r) => r.cidr)));
  const needsOwners = config.routeTables.some((t) => t.routes.some((r) => r.ifUnhealthy || r.remoteHealthcheck !== undefined));

  const unknownEnis = new Set<string>();
  const ownerIds = new Set<string>();
  for (const t of tables) {
    for (const r of t.routes) {
      if (!managed.has(r.destination)) continue;
      const target = r.target;
      if (target.kind === 'interface') {
        if (target.networkInterfaceId === me.networkInterfaceId) continue;
        if (!cache.has(target.networkInterfaceId)) unknownEnis.add(target.networkInterfaceId);
        if (target.instanceId !== undefined) ownerIds.add(target.instanceId);
      } else if (target.kind === 'instance' && target.instanceId !== me.instanceId) {
        ownerIds.add(target.instanceId);
      }
    }
  }

  if (needsOwners && unknownEnis.size > 0) {
    const found = await ec2.describeNetworkInterfaces({ ids: [...unknownEnis] });
    for (const n of found) {
      cache.set(n.id, { ...(n.privateIp !== undefined ? { ip: n.privateIp } : {}), ...(n.instanceId !== undefined ? { instanceId: n.instanceId } : {}) });
    }
  }
  for (const t of tables)
    for (const r of t.routes)
      if (managed.has(r.destination) && r.target.kind === 'interface' && r.target.instanceId === undefined) {
        const owner = cache.get(r.target.networkInterfaceId)?.instanceId;
        if (owner !== undefined && owner !== me.instanceId) ownerIds.add(owner);
      }

  const owners = needsOwners && ownerIds.size > 0 ? await ec2.describeInstanceStatus([...ownerIds].sort()) : {};
  const interfaceIps: Record<string, string> = {};
  const interfaceOwners: Record<string, string> = {};
  for (const [id, f] of cache) {
    if (f.ip !== undefined) interfaceIps[id] = f.ip;
    if (f.instanceId !== undefined) interfaceOwners[id] = f.instanceId;
  }
  return { tables, owners, interfaceIps, interfaceOwners };
}

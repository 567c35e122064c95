// One pass's view of EC2, read cheaply: one DescribeRouteTables filtered by
// our VPC (paginated), then — only when backups need them — one batched
// DescribeNetworkInterfaces for interfaces not seen before (an interface's
// private IP never changes, so it is cached) and one batched
// DescribeInstanceStatus for the current owners of our routes.
import type { Config } from '../config/model.js';
import { substitute } from '../config/values.js';
import { peersKey } from '../core/handoff.js';
import { placeholderValues } from '../core/targets.js';
import type { Identity, NatGatewayView, OwnerFacts, PeerView, RouteTableView } from '../core/types.js';
import { forwardingInterfaces } from '../ec2/interfaces.js';
import type { Ec2Port, InstanceView } from '../ec2/port.js';

export interface InterfaceFacts {
  readonly ip?: string;
  readonly instanceId?: string;
}

export interface World {
  readonly tables: readonly RouteTableView[];
  readonly instanceInterfaces: Readonly<Record<string, string>>;
  readonly owners: Readonly<Record<string, OwnerFacts>>;
  readonly interfaceIps: Readonly<Record<string, string>>;
  readonly interfaceOwners: Readonly<Record<string, string>>;
  /** By peers finder key: the candidates found (full reads only; partial reads keep the last ones). */
  readonly peers?: Readonly<Record<string, readonly PeerView[]>>;
  /** Fallback NAT gateways by id. */
  readonly natGateways?: Readonly<Record<string, NatGatewayView>>;
}

/** What the reader keeps across passes because it cannot change while the daemon runs. */
export interface ReadCache {
  /** Interface id -> its private IP and instance. */
  readonly interfaces: Map<string, InterfaceFacts>;
  /** Instance id -> its forwarding interface, for routes with `instance: i-...`. */
  readonly instanceEnis: Map<string, string>;
}

export function newReadCache(): ReadCache {
  return { interfaces: new Map(), instanceEnis: new Map() };
}

export interface ReadOptions {
  /** Read only these tables (re-reading before a takeover); default: the whole VPC. */
  readonly routeTableIds?: readonly string[];
  /** Read tables in every VPC of the region (config `all_vpcs: true`); default: our VPC only. */
  readonly allVpcs?: boolean;
  /** Read the peers too on a partial read (before a hand-off: the list of the last full read may be stale). */
  readonly peers?: boolean;
}

/** Every CIDR the config manages, in any table: only these routes are ever looked at or touched. */
export function managedCidrs(config: Config): Set<string> {
  return new Set(config.routeTables.flatMap((t) => t.routes.map((r) => r.cidr)));
}

export async function readWorld(
  ec2: Ec2Port,
  config: Config,
  me: Identity,
  readCache: ReadCache,
  opts: ReadOptions = {},
): Promise<World> {
  const cache = readCache.interfaces;
  const instanceEnis = readCache.instanceEnis;
  const tables = await ec2.describeRouteTables({
    ...(opts.allVpcs === true ? {} : { vpcId: me.vpcId }),
    ...(opts.routeTableIds !== undefined ? { routeTableIds: opts.routeTableIds } : {}),
  });
  const managed = managedCidrs(config);
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
    // An interface EC2 no longer knows is remembered as unknown, so it is not asked for on every pass
    // (a route to it is a blackhole, which needs no facts).
    for (const id of unknownEnis) if (!cache.has(id)) cache.set(id, {});
  }
  for (const t of tables)
    for (const r of t.routes)
      if (managed.has(r.destination) && r.target.kind === 'interface' && r.target.instanceId === undefined) {
        const owner = cache.get(r.target.networkInterfaceId)?.instanceId;
        if (owner !== undefined && owner !== me.instanceId) ownerIds.add(owner);
      }

  // Routes with `instance: i-...` point at that instance's forwarding interface (looked up once, then cached).
  const instanceInterfaces: Record<string, string> = {};
  const others = new Set(config.routeTables.flatMap((t) => t.routes.map((r) => r.instance)).filter((i) => i !== 'SELF' && i !== me.instanceId));
  for (const id of others) {
    let eni = instanceEnis.get(id);
    if (eni === undefined) {
      eni = forwardingInterfaces(await ec2.describeNetworkInterfaces({ instanceId: id }))[0]?.id;
      if (eni !== undefined) instanceEnis.set(id, eni);
    }
    if (eni !== undefined) instanceInterfaces[id] = eni;
  }

  const owners = needsOwners && ownerIds.size > 0 ? await ec2.describeInstanceStatus([...ownerIds].sort()) : {};
  const interfaceIps: Record<string, string> = {};
  const interfaceOwners: Record<string, string> = {};
  for (const [id, f] of cache) {
    if (f.ip !== undefined) interfaceIps[id] = f.ip;
    if (f.instanceId !== undefined) interfaceOwners[id] = f.instanceId;
  }
  const fallbacks = [...new Set(config.routeTables.flatMap((t) => t.routes.flatMap((r) => (r.fallback !== undefined ? [r.fallback] : []))))].sort();
  const natGateways = fallbacks.length > 0 ? await ec2.describeNatGateways(fallbacks) : undefined;
  const peers = opts.routeTableIds === undefined || opts.peers === true ? await readPeers(ec2, config, me) : undefined;
  return {
    tables,
    owners,
    interfaceIps,
    interfaceOwners,
    instanceInterfaces,
    ...(peers !== undefined ? { peers } : {}),
    ...(natGateways !== undefined ? { natGateways } : {}),
  };
}

/** One DescribeInstances per distinct `peers` finder: running instances of our VPC with the tag, and their forwarding interface. */
async function readPeers(ec2: Ec2Port, config: Config, me: Identity): Promise<Record<string, PeerView[]> | undefined> {
  const values = placeholderValues(me);
  const finders = new Map<string, { tagKey: string; tagValue: string }>();
  for (const t of config.routeTables)
    for (const r of t.routes) if (r.peers !== undefined) finders.set(peersKey(r.peers, values), { tagKey: r.peers.tagKey, tagValue: substitute(r.peers.tagValue, values) });
  if (finders.size === 0) return undefined;
  const out: Record<string, PeerView[]> = {};
  for (const [key, f] of finders) out[key] = (await ec2.findInstances({ vpcId: me.vpcId, ...f })).flatMap((i) => peerOf(i, me));
  return out;
}

/** A found instance as a hand-off candidate: its forwarding interface (source/destination check off, lowest device index). */
function peerOf(i: InstanceView, me: Identity): PeerView[] {
  if (i.id === me.instanceId || i.state !== 'running') return [];
  const eni = forwardingInterfaces(i.interfaces)[0];
  return eni === undefined ? [] : [{ instanceId: i.id, networkInterfaceId: eni.id, ...(eni.privateIp !== undefined ? { ip: eni.privateIp } : {}) }];
}

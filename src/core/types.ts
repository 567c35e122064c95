// The planner's world, as plain values: what EC2 showed us, who we are, and
// how our checks stand. Adapters build these; the planner only reads them.

/** Where a route sends traffic. */
export type RouteTarget =
  | { readonly kind: 'interface'; readonly networkInterfaceId: string; readonly instanceId?: string }
  | { readonly kind: 'instance'; readonly instanceId: string }
  /** Internet/VPN gateway, NAT gateway, transit gateway, peering, endpoint, local... */
  | { readonly kind: 'other'; readonly id: string };

export interface RouteView {
  /** Canonical CIDR text (see config/values.ts parseCidr). */
  readonly destination: string;
  readonly target: RouteTarget;
  readonly state: 'active' | 'blackhole';
}

export interface RouteTableView {
  readonly id: string;
  readonly vpcId: string;
  /** This table is the VPC's main table. */
  readonly main: boolean;
  /** Subnets explicitly associated with this table. */
  readonly subnetIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly routes: readonly RouteView[];
}

export interface Identity {
  readonly instanceId: string;
  readonly az: string;
  readonly region: string;
  readonly vpcId: string;
  readonly subnetId: string;
  /** The interface our routes point at (source/dest check disabled). */
  readonly networkInterfaceId: string;
  /** Every IP of this instance: remote checks never target them. */
  readonly ownIps: readonly string[];
}

export interface CheckView {
  readonly healthy: boolean;
  readonly decided: boolean;
  /**
   * Remote checks: when (monotonic ms, the daemon's clock) each of the latest
   * consecutive failed runs ended, oldest first, at most `fall` of them.
   */
  readonly failingRun?: readonly number[];
  /** Remote checks: the template's `fall` and `every` (ms), to judge and time a fresh verdict. */
  readonly fall?: number;
  readonly everyMs?: number;
}

/**
 * The owner state for an instance EC2 no longer knows (its describe answers
 * InvalidInstanceID.NotFound): AWS stops returning a terminated instance
 * some time after termination, so such an owner is dead, not unknown.
 */
export const GONE = 'gone';

/** How long an owner must stay unknown to EC2 before it counts as dead (see PlanInput.goneSince). */
export const GONE_CONFIRM_MS = 10_000;

/** What EC2 says about a route's current owner. */
export interface OwnerFacts {
  /** pending, running, stopping, stopped, shutting-down, terminated, or GONE. */
  readonly state: string;
  /** ok, impaired, initializing, insufficient-data, not-applicable. */
  readonly instanceStatus?: string;
  readonly systemStatus?: string;
}

/** A NAT gateway as DescribeNatGateways shows it. */
export interface NatGatewayView {
  /** pending, failed, available, deleting, deleted. */
  readonly state: string;
  readonly vpcId?: string;
}

/** A candidate a route may be handed to: a running instance a route's `peers` finder found. */
export interface PeerView {
  readonly instanceId: string;
  /** Its forwarding interface (source/destination check disabled). */
  readonly networkInterfaceId: string;
  /** That interface's private IP, for the route's remote check. */
  readonly ip?: string;
}

export interface PlanInput {
  readonly identity: Identity;
  /** Route tables of our VPC (all of them; finders pick from these). */
  readonly tables: readonly RouteTableView[];
  /** Local checks by name. A check missing here counts as undecided. */
  readonly checks: Readonly<Record<string, CheckView>>;
  /** Remote checks by template name, then by destination IP. */
  readonly remoteChecks: Readonly<Record<string, Readonly<Record<string, CheckView>>>>;
  /** Owner facts by instance id; absent = unknown. */
  readonly owners: Readonly<Record<string, OwnerFacts>>;
  /** Private IP of each interface id we know, for remote checks. */
  readonly interfaceIps: Readonly<Record<string, string>>;
  /** The owning instance of each interface id we know. */
  readonly interfaceOwners: Readonly<Record<string, string>>;
  /** For routes with `instance: i-...` (not us): that instance's forwarding interface. */
  readonly instanceInterfaces?: Readonly<Record<string, string>>;
  /** The daemon's monotonic clock, ms; hold-down is off when absent. */
  readonly now?: number;
  /** When the daemon started (ms): how long a route without checks has been "healthy". */
  readonly startedAt?: number;
  /** By route key (`routeTableId cidr`): when this daemon last changed the route's owner (ms). */
  readonly lastChange?: Readonly<Record<string, number>>;
  /**
   * By instance id: since when (ms, the daemon's clock) EC2 has answered that
   * the instance does not exist. A GONE owner counts as dead only once this
   * is GONE_CONFIRM_MS old: AWS warns that a just-launched instance can be
   * InvalidInstanceID.NotFound for a while (eventual consistency).
   */
  readonly goneSince?: Readonly<Record<string, number>>;
  /**
   * By route key: since when (ms, the daemon's clock) the route has pointed
   * at its current target, as far as this daemon knows (its reads and its own
   * writes). A remote verdict against the owner counts only if `fall` of its
   * failed runs came after that: a verdict formed before the route changed
   * hands (the owner took it back after we took it over, say) is stale.
   */
  readonly ownerSince?: Readonly<Record<string, number>>;
  /**
   * By route key: routes this daemon wrote moments ago whose write the read
   * does not show yet (eventual consistency, see own-writes.ts), with until
   * when (ms, the daemon's clock, like `now`) to hold any new change of them.
   */
  readonly unseenWrites?: Readonly<Record<string, number>>;
  /** By local check name: since when it has been healthy (ms). */
  readonly healthySince?: Readonly<Record<string, number>>;
  /**
   * Maintenance: behave as if every local check failed (routes move to
   * backups or are withdrawn by the normal rules); `force` also withdraws
   * `never_delete` routes.
   */
  readonly drain?: {
    readonly force: boolean;
    /** Why, for reasons: "drained by awsnycast drain", "spot interruption notice", ... */
    readonly why?: string;
    /** Since when (the daemon's clock) this daemon has seen itself drained: a route that came to us after that is not passed on to a peer. */
    readonly since?: number;
  };
  /** By peers finder key (handoff.ts peersKey): the candidates the last full read found. */
  readonly peers?: Readonly<Record<string, readonly PeerView[]>>;
  /** Fallback NAT gateways by id; absent = EC2 does not know it. */
  readonly natGateways?: Readonly<Record<string, NatGatewayView>>;
  /** By route key: the target the route pointed at before its current one, as far as this daemon saw. */
  readonly previousTarget?: Readonly<Record<string, string>>;
  /** By route key: routes where taking back from a live owner keeps being undone; the value is that owner. */
  readonly flapping?: Readonly<Record<string, string>>;
}

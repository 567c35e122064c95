// The planner's vocabulary: what it decides for each managed route (an
// action with a stable reason code) and what a whole plan holds. Plain types
// and constants; the rules live in decide.ts, the walk over the config in
// plan.ts.
import type { RouteSpec } from '../config/model.js';

export type ActionKind = 'create' | 'replace' | 'delete' | 'none';

/** Stable reason codes; the text that goes with each is in REASON_TEXT. */
export const Reason = {
  Owned: 'OWNED',
  MissingCreate: 'MISSING_CREATE',
  CheckUndecided: 'CHECK_UNDECIDED',
  CheckUnhealthy: 'CHECK_UNHEALTHY',
  CheckUnhealthyDelete: 'CHECK_UNHEALTHY_DELETE',
  NeverDelete: 'NEVER_DELETE',
  Preempt: 'PREEMPT',
  OwnerBlackhole: 'OWNER_BLACKHOLE',
  OwnerNotRunning: 'OWNER_NOT_RUNNING',
  /** EC2 no longer knows the owner instance (terminated a while ago). */
  OwnerGone: 'OWNER_GONE',
  OwnerImpaired: 'OWNER_IMPAIRED',
  OwnerRemoteUnhealthy: 'OWNER_REMOTE_UNHEALTHY',
  OwnerRemoteUndecided: 'OWNER_REMOTE_UNDECIDED',
  /** The remote check's failing verdict was formed before the owner took the route; waiting for a fresh one. */
  OwnerRemoteStale: 'OWNER_REMOTE_STALE',
  OwnerAlive: 'OWNER_ALIVE',
  NonInstanceTarget: 'NON_INSTANCE_TARGET',
  HoldDown: 'HOLD_DOWN',
  Drained: 'DRAINED',
  DrainedDelete: 'DRAINED_DELETE',
  Flapping: 'FLAPPING',
  /** Our own write of this route moments ago is not visible yet; no new change until it is (or the window ends). */
  OwnWriteUnseen: 'OWN_WRITE_UNSEEN',
  /** Drained (or stopping, or interrupted): handing our route to a healthy peer. */
  Handoff: 'HANDOFF',
  /** Drained: no healthy peer; handing our route to its fallback NAT gateway. */
  HandoffFallback: 'HANDOFF_FALLBACK',
  /** Drained, but neither a healthy peer nor the fallback can carry the route: it stays. */
  HandoffNone: 'HANDOFF_NONE',
  /** Our check is unhealthy: the route goes to its fallback instead of being withdrawn or kept. */
  CheckUnhealthyFallback: 'CHECK_UNHEALTHY_FALLBACK',
  /** The owner is dead and our check is unhealthy: the route goes to its fallback. */
  OwnerDeadFallback: 'OWNER_DEAD_FALLBACK',
  /** The route is missing and our check is unhealthy: created at its fallback. */
  MissingFallback: 'MISSING_FALLBACK',
  /** The route is at its fallback and we are healthy: a backup takes it back. */
  FallbackTakeback: 'FALLBACK_TAKEBACK',
  /** `instance: i-...` names an instance whose forwarding interface is unknown. */
  TargetUnknown: 'TARGET_UNKNOWN',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export interface CurrentRoute {
  /** Interface id, instance id, or gateway id the route points at. */
  readonly target: string;
  readonly ownerInstanceId?: string;
  readonly state: 'active' | 'blackhole';
}

export interface PlannedAction {
  readonly routeTableId: string;
  /** The config's name for the route table entry that found this table. */
  readonly tableName: string;
  readonly cidr: string;
  readonly action: ActionKind;
  /** For create/replace: the interface id the route will point at. */
  readonly target?: string;
  readonly current?: CurrentRoute;
  readonly reason: Reason;
  /** A sentence for logs and humans. */
  readonly detail: string;
  /** For a hold-down: in how many ms the decision may change (the daemon plans again then). */
  readonly retryAfterMs?: number;
  /** The owner IP the route's remote check must watch (the current owner, when it is not us). */
  readonly watch?: string;
  /** Routes with peers or a fallback that point at us: where a hand-off would send them now, and why. */
  readonly handoff?: { readonly to?: string; readonly why: string };
  /** Peer IPs the route's remote check must judge (routes with peers that point at us). */
  readonly peerIps?: readonly string[];
  /** The route spec this action is for. */
  readonly route: RouteSpec;
}

export interface PlanProblem {
  readonly code: 'PLAN_NO_TABLES' | 'PLAN_CIDR_CLAIMED_TWICE';
  readonly tableName: string;
  readonly message: string;
}

export interface Plan {
  readonly actions: readonly PlannedAction[];
  readonly problems: readonly PlanProblem[];
  /** Remote check template name -> owner IPs it must run against. */
  readonly remoteTargets: Readonly<Record<string, readonly string[]>>;
}

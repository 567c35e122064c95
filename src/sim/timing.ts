// How long the simulated region's slow things take: instance and NAT gateway
// phases, how long a terminated instance stays visible, and read lag
// (eventual consistency).
// Set by the world file's `timing:` and the admin API.

export interface Timing {
  /** How long `pending` lasts after RunInstances or StartInstances. */
  readonly pendingMs: number;
  /** How long `stopping` lasts after StopInstances. */
  readonly stoppingMs: number;
  /** How long `shutting-down` lasts after TerminateInstances. */
  readonly shuttingDownMs: number;
  /**
   * How long a terminated instance stays visible. AWS: "Terminated instances
   * remain visible after termination (for approximately one hour)"
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ApiReference-query-TerminateInstances.html);
   * after that describe calls no longer list it and naming it is
   * InvalidInstanceID.NotFound.
   */
  readonly terminatedVisibleMs: number;
  /**
   * Eventual consistency as read lag: describe calls answer from the state as
   * it was this long ago (route table routes, instance states and the route
   * states that follow them); mutating calls check the current state. AWS:
   * "the result of an API command you run that affects your Amazon EC2
   * resources might not be immediately visible to all subsequent commands you
   * run" (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
   */
  readonly readLagMs: number;
  /** How long a NAT gateway stays `pending` after CreateNatGateway before it is `available`. */
  readonly natGatewayPendingMs: number;
  /** How long a NAT gateway stays `deleting` after DeleteNatGateway before it is `deleted`. */
  readonly natGatewayDeletingMs: number;
  /**
   * How long a `deleted` or `failed` NAT gateway stays listed. AWS's VPC
   * guide: "After you delete a NAT gateway, its entry remains visible in the
   * Amazon VPC console for about an hour, after which it's automatically
   * removed" (Delete a NAT gateway), and "A failed NAT gateway is
   * automatically deleted, usually in about an hour" (Troubleshoot NAT
   * gateways), https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html.
   */
  readonly natGatewayDeletedVisibleMs: number;
}

/** One hour, AWS's "approximately one hour" for terminated instances. */
export const TERMINATED_VISIBLE_MS = 3_600_000;

export const DEFAULT_TIMING: Timing = {
  pendingMs: 0,
  stoppingMs: 0,
  shuttingDownMs: 0,
  terminatedVisibleMs: TERMINATED_VISIBLE_MS,
  readLagMs: 0,
  natGatewayPendingMs: 0,
  natGatewayDeletingMs: 0,
  natGatewayDeletedVisibleMs: TERMINATED_VISIBLE_MS,
};

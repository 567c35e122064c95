// EC2 failures mapped to a few outcomes with stable codes. The loop decides on
// the outcome (retry now, retry next pass, report), never on message text.

export const Ec2Outcome = {
  Throttled: 'EC2_THROTTLED',
  Transient: 'EC2_TRANSIENT',
  NotFound: 'EC2_NOT_FOUND',
  AlreadyExists: 'EC2_ALREADY_EXISTS',
  PermissionDenied: 'EC2_PERMISSION_DENIED',
  Invalid: 'EC2_INVALID',
} as const;
export type Ec2Outcome = (typeof Ec2Outcome)[keyof typeof Ec2Outcome];

export class Ec2Error extends Error {
  constructor(
    readonly code: Ec2Outcome,
    /** The AWS error code (e.g. RequestLimitExceeded), or the network error code. */
    readonly awsCode: string,
    message: string,
    readonly action: string,
  ) {
    super(message);
    this.name = 'Ec2Error';
  }
}

const THROTTLE = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'TooManyRequestsException']);
const NOT_FOUND = /NotFound$|^InvalidRoute\.NotFound$|^InvalidRouteTableID\.NotFound$|^InvalidInstanceID\.NotFound$/;
const DENIED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'AuthFailure', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'OptInRequired']);

/** Maps anything the SDK throws to an Ec2Error. */
export function toEc2Error(action: string, e: unknown): Ec2Error {
  if (e instanceof Ec2Error) return e;
  const err = e as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  const awsCode = err.Code ?? err.name ?? err.code ?? 'Unknown';
  const status = err.$metadata?.httpStatusCode;
  const message = err.message ?? String(e);
  let outcome: Ec2Outcome;
  if (THROTTLE.has(awsCode)) outcome = Ec2Outcome.Throttled;
  else if (awsCode === 'RouteAlreadyExists') outcome = Ec2Outcome.AlreadyExists;
  else if (NOT_FOUND.test(awsCode)) outcome = Ec2Outcome.NotFound;
  else if (DENIED.has(awsCode) || status === 401 || status === 403) outcome = Ec2Outcome.PermissionDenied;
  else if (err.$fault === 'server' || (status !== undefined && status >= 500) || status === undefined) outcome = Ec2Outcome.Transient;
  else outcome = Ec2Outcome.Invalid;
  return new Ec2Error(outcome, awsCode, `${action}: ${awsCode}: ${message}`, action);
}

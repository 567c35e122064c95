// EC2 API errors: a stable AWS error code, a message, and the HTTP status AWS
// answers with. Handlers throw these; the server turns them into the
// <Response><Errors> XML document.
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'Ec2Error';
  }
}

export const notFound = (kind: string, code: string, id: string): Ec2Error =>
  new Ec2Error(code, `The ${kind} ID '${id}' does not exist`);

export const invalidValue = (param: string, value: string, why: string): Ec2Error =>
  new Ec2Error('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid. ${why}`);

export const missing = (param: string): Ec2Error =>
  new Ec2Error('MissingParameter', `The request must contain the parameter ${param}`);

export const dryRunOk = (): Ec2Error =>
  new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);

export const throttled = (): Ec2Error => new Ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503);

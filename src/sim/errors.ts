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

/**
 * InvalidInstanceID.NotFound naming every missing instance, in AWS's two
 * forms: `The instance ID 'i-a' does not exist` for one id and `The instance
 * IDs 'i-a, i-b' do not exist` for several (the plural form as AWS answered
 * TerminateInstances in https://github.com/getmoto/moto/issues/4903).
 */
export const instancesNotFound = (ids: readonly string[]): Ec2Error =>
  ids.length === 1
    ? notFound('instance', 'InvalidInstanceID.NotFound', ids[0]!)
    : new Ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${ids.join(', ')}' do not exist`);

export const invalidValue = (param: string, value: string, why: string): Ec2Error =>
  new Ec2Error('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid. ${why}`);

export const missing = (param: string): Ec2Error =>
  new Ec2Error('MissingParameter', `The request must contain the parameter ${param}`);

export const dryRunOk = (): Ec2Error =>
  new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);

export const throttled = (): Ec2Error => new Ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503);

/** An instance with several interfaces named where one interface is meant (route target, instance source/dest check). */
export const multipleInterfaces = (id: string): Ec2Error =>
  new Ec2Error(
    'InvalidInstanceID',
    `There are multiple interfaces attached to instance '${id}'. Please specify an interface ID for the operation instead.`,
  );

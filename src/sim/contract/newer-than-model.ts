// What AWS added to a served action after the model the contract is
// generated from (botocore 1.29.27, December 2022), and that a current client
// sends on its own. Each entry names AWS's current API reference page that
// documents it; contract.test.ts fails once the model has caught up (then the
// entry goes). Keep this list to what current SDKs send unasked: anything
// else newer than the model is refused, as docs/simulator.md says.
import type { ParamSpec } from './types.js';

export interface ModelLag {
  /** Wire parameters AWS accepts today that the model lacks. */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Members of the action's output structure (XML name -> model shape name) the model lacks. */
  readonly output: Readonly<Record<string, string>>;
  /** Where AWS documents them. */
  readonly source: string;
}

export const NEWER_THAN_MODEL: Readonly<Record<string, ModelLag>> = {
  // @aws-sdk/client-ec2 3.x fills ClientToken in on every CreateRouteTable call
  // (an idempotency token in AWS's current model).
  CreateRouteTable: {
    params: { ClientToken: { type: 'string' } },
    output: { clientToken: 'String' },
    source:
      'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRouteTable.html (request parameter ClientToken; response element clientToken, "only returned if a client token was provided")',
  },
};

// The deny list: EC2 actions the simulator refuses as IAM would refuse an
// action the caller's policy does not allow, so that tests can cover the
// `UnauthorizedOperation` path (a DryRun answers it instead of
// DryRunOperation, a real call instead of doing the change). The simulator
// checks no IAM policy otherwise: any credentials may do anything.
//
// AWS: a request the caller is not allowed to make "returns a
// Client.UnauthorizedOperation response (an HTTP 403 response). Some AWS
// operations additionally return an encoded message that can provide details
// about this authorization failure" (STS DecodeAuthorizationMessage,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html);
// EC2's message reads "You are not authorized to perform this operation.
// Encoded authorization failure message: …"
// (https://repost.aws/knowledge-center/ec2-not-auth-launch). AWS encrypts
// that message (only sts:DecodeAuthorizationMessage reads it); the simulator
// puts base64url JSON there instead, which is not AWS's encoding.
import { Ec2Error } from './errors.js';

export interface DenyRule {
  /** EC2 action names (`ReplaceRoute`); `*` for every action. */
  readonly actions: readonly string[];
  /** Access key ids the rule applies to; absent or empty: every caller. */
  readonly callers?: readonly string[];
}

export class DenyList {
  private list: DenyRule[] = [];

  rules(): readonly DenyRule[] {
    return this.list;
  }

  add(rule: DenyRule): readonly DenyRule[] {
    this.list = [...this.list, { actions: [...rule.actions], ...(rule.callers !== undefined && rule.callers.length > 0 ? { callers: [...rule.callers] } : {}) }];
    return this.list;
  }

  clear(): void {
    this.list = [];
  }

  denies(action: string, caller: string): boolean {
    return this.list.some(
      (r) => (r.actions.includes('*') || r.actions.includes(action)) && (r.callers === undefined || r.callers.includes(caller)),
    );
  }

  /** The error a denied call answers, for DryRun and real calls alike. */
  static error(action: string, caller: string): Ec2Error {
    const detail = Buffer.from(JSON.stringify({ allowed: false, explicitDeny: false, context: { action: `ec2:${action}`, principal: caller } })).toString('base64url');
    return new Ec2Error('UnauthorizedOperation', `You are not authorized to perform this operation. Encoded authorization failure message: ${detail}`, 403);
  }
}

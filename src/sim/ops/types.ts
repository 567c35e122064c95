// What the operations take and give. Each is two-step: `prepareX(state, ...)`
// validates and throws the error AWS would answer with, then returns an Apply
// thunk that makes the change. The server runs the thunk only when the
// request is not a DryRun, so a DryRun can never have a side effect.

export type Apply<T = void> = () => T;

/** A route target as a request names it (exactly one is expected). */
export interface TargetInput {
  readonly instanceId?: string | undefined;
  readonly networkInterfaceId?: string | undefined;
  readonly gatewayId?: string | undefined;
  readonly natGatewayId?: string | undefined;
}

// What an EC2 action handler looks like. `run` reads the request and
// validates it against the state, throwing the Ec2Error AWS would answer
// with; it returns a thunk that makes the change and builds the response
// body. The server calls the thunk only when the request is not a DryRun.
import type { FilterSet } from '../filters.js';
import type { Query } from '../query.js';
import type { Who } from '../mutations.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import type { RenderCache } from './render-cache.js';

export interface ActionContext {
  readonly state: Ec2State;
  readonly q: Query;
  readonly who: Who;
  readonly cache: RenderCache;
}

/** AWS throttles describe calls and mutating calls from separate token buckets. */
export type ActionKind = 'describe' | 'mutate';

export interface ActionDef {
  readonly name: string;
  readonly kind: ActionKind;
  /** The filters the action implements (its documented names, from the contract, are what it accepts). */
  readonly filters?: FilterSet<never, never>;
  run(ctx: ActionContext): () => XmlObject;
}

export const ok = (): XmlObject => ({ return: true });

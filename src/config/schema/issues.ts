// How the schema reports a problem: a zod custom issue whose params carry
// the stable code and whether it points at the key or at its value. Every
// issue the schema raises is one of these (load.ts reads params, never the
// message text).
import type * as z from 'zod';
import type { ErrorCode } from '../codes.js';
import type { PathSegment } from '../problems.js';

export interface IssueParams {
  readonly code: ErrorCode;
  /** 'key': the problem is the key itself (unknown, or a second spelling); located at the key, not its value. */
  readonly at?: 'key';
}

export interface Where {
  /** Below the value being judged (`['type']` for a mapping's type key). */
  readonly path?: readonly PathSegment[];
  readonly at?: 'key';
}

/** A verdict on a value: what a parse function returns instead of the value when it is wrong. */
export class Fail {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly where: Where = {},
  ) {}
}

/**
 * What a failed transform returns. Its value is never used as output (the
 * issue fails the parse); `undefined` lets checks that look at a partly
 * valid mapping treat a failed value like an absent one.
 */
export const FAILED = undefined as never;

export function report(
  ctx: z.RefinementCtx,
  code: ErrorCode,
  message: string,
  where: Where = {},
): void {
  const params: IssueParams = where.at !== undefined ? { code, at: where.at } : { code };
  ctx.addIssue({ code: 'custom', message, params, ...(where.path !== undefined ? { path: [...where.path] } : {}) });
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// The shapes leaves sit in: strict mappings, mappings of user-chosen names,
// lists, and mappings told apart by their `type`. Each first checks that
// the value has its shape at all (reporting CFG_MISSING or CFG_TYPE with a
// message that says what was expected), so zod's own shape errors never
// reach the user, and every problem travels as a custom issue with its code.
import * as z from 'zod';
import { ErrorCode } from '../codes.js';
import { show, suggest } from '../values.js';
import { FAILED, Fail, isPlainObject, report } from './issues.js';
import { jsonShapes, typeFail } from './leaf.js';

/** A check on a mapping that may be only partly valid: its failed values are undefined, so read it as unknown data. */
export type PartialCheck = (value: Readonly<Record<string, unknown>>, ctx: z.RefinementCtx) => void;

const onMappings = { when: (p: { value: unknown }) => isPlainObject(p.value) };

/** Runs `check` before `schema` sees the value; a problem stops the value there. */
function guarded<S extends z.ZodType>(check: (v: unknown) => Fail | undefined, schema: S, absentAs?: unknown) {
  return z.preprocess((v, ctx) => {
    if (v === undefined && absentAs !== undefined) return absentAs;
    const f = check(v);
    if (f === undefined) return v;
    report(ctx, f.code, f.message, f.where);
    return FAILED;
  }, schema);
}

/**
 * The keys of a mapping, unknown keys being errors (with a "did you mean"
 * when one is close). `checks` judge the mapping as a whole; like the
 * unknown-key check they run even when some values failed, so one run
 * reports everything.
 */
export function strictKeys<S extends z.ZodRawShape>(shape: S, ...checks: PartialCheck[]) {
  const known = Object.keys(shape);
  let schema = z.looseObject(shape).superRefine((v, ctx) => {
    for (const k of Object.keys(v)) {
      if (Object.hasOwn(shape, k)) continue;
      const s = suggest(k, known);
      report(ctx, ErrorCode.UnknownKey, `unknown key "${k}"${s !== undefined ? ` (did you mean "${s}"?)` : ''}`, { path: [k], at: 'key' });
    }
  }, onMappings);
  for (const check of checks) schema = schema.superRefine(check, onMappings);
  jsonShapes.add(schema, { additionalProperties: false });
  return schema;
}

function mappingFail(v: unknown, what: string): Fail | undefined {
  if (v === undefined) return new Fail(ErrorCode.Missing, 'is required');
  return isPlainObject(v) ? undefined : typeFail(what, v);
}

/**
 * `schema` (a strictKeys mapping, or one with a transform) behind a check
 * that the value is a mapping; `what` names it in "must be a route mapping
 * (got 5)". `absentAs`: the value a missing mapping stands for (its keys then
 * report what they miss). A transform belongs inside `schema`, so that the
 * JSON Schema still sees the key as required.
 */
export function mappingOf<S extends z.ZodType>(schema: S, what = 'a mapping', absentAs?: Record<string, never>) {
  return guarded((v) => mappingFail(v, what), schema, absentAs);
}

/** A strict mapping (see strictKeys and mappingOf). */
export function mapping<S extends z.ZodRawShape>(shape: S, what = 'a mapping', ...checks: PartialCheck[]) {
  return mappingOf(strictKeys(shape, ...checks), what);
}

/** A mapping of user-chosen names to values; `empty` refuses an empty one with that message. */
export function namedMap<T extends z.ZodType>(value: T, what: string, empty?: string) {
  return guarded(
    (v) => mappingFail(v, what) ?? (empty !== undefined && Object.keys(v as object).length === 0 ? new Fail(ErrorCode.Value, empty, { at: 'key' }) : undefined),
    z.record(z.string(), value),
  );
}

/** A list of at least one item. */
export function list<T extends z.ZodType>(item: T, texts: { readonly what: string; readonly missing: string; readonly empty: string }) {
  const schema = z.array(item);
  jsonShapes.add(schema, { minItems: 1 });
  return guarded((v) => {
    if (v === undefined) return new Fail(ErrorCode.Missing, texts.missing);
    if (!Array.isArray(v)) return typeFail(texts.what, v);
    return v.length === 0 ? new Fail(ErrorCode.Value, texts.empty) : undefined;
  }, schema);
}

/**
 * A mapping whose `type` key says which of the variants of `union` (a
 * discriminated union on `type`) it is. `noun` and `what` name it: `"icmp"
 * is not a known check type (ping, ...)`, `must be a finder mapping`.
 */
export function tagged<S extends z.ZodType>(union: S, types: readonly string[], noun: string, what: string) {
  return guarded((v) => {
    const f = mappingFail(v, what);
    if (f !== undefined) return f;
    const t = (v as Record<string, unknown>).type;
    if (t === undefined) return new Fail(ErrorCode.Missing, `is required (${types.join(', ')})`, { path: ['type'] });
    if (typeof t !== 'string' || !types.includes(t))
      return new Fail(ErrorCode.UnknownType, `${show(t)} is not a known ${noun} (${types.join(', ')})`, { path: ['type'] });
    return undefined;
  }, union);
}

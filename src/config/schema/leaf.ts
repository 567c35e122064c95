// Leaves: one schema per kind of scalar a user writes. Each judges the value
// as written (numbers may be strings, as the original accepted: `port:
// "80"`) and outputs it normalised, so what leaves a leaf is already model
// data. Each also carries its JSON Schema shape, which zod cannot derive
// from a transform.
import * as z from 'zod';
import { ErrorCode } from '../codes.js';
import { hasHostBits, networkOf, parseCidr } from '../../net/address.js';
import type { Cidr } from '../../net/address.js';
import { PLACEHOLDERS, looseBool, looseNumber, show, unknownPlaceholders } from '../values.js';
import { FAILED, Fail, report } from './issues.js';

/** JSON Schema fragments for schemas that zod cannot describe by itself. */
export const jsonShapes = z.registry<Record<string, unknown>>();

/**
 * A leaf schema. `parse` sees every value but `undefined` (a missing key,
 * reported as CFG_MISSING with `required` as the message; `.optional()` or
 * `.default()` around the leaf makes the key optional).
 */
export function leaf<T>(json: Record<string, unknown>, parse: (v: unknown) => T | Fail, required = 'is required') {
  const schema = z.unknown().transform((v, ctx): T => {
    const r = v === undefined ? new Fail(ErrorCode.Missing, required) : parse(v);
    if (!(r instanceof Fail)) return r;
    report(ctx, r.code, r.message, r.where);
    return FAILED;
  });
  jsonShapes.add(schema, json);
  return schema;
}

export const typeFail = (what: string, v: unknown): Fail => new Fail(ErrorCode.Type, `must be ${what} (got ${show(v)})`);
const valueFail = (message: string): Fail => new Fail(ErrorCode.Value, message);

export const text = (required?: string) => leaf<string>({ type: 'string' }, (v) => (typeof v === 'string' ? v : typeFail('text', v)), required);

/** The first unknown `${name}` in `v`, as a problem; `known` adds the list of known names to the message. */
export function placeholderFail(v: string, known = false): Fail | undefined {
  const bad = unknownPlaceholders(v)[0];
  if (bad === undefined) return undefined;
  const list = known ? ` (known: ${PLACEHOLDERS.map((p) => '${' + p + '}').join(', ')})` : '';
  return new Fail(ErrorCode.Placeholder, `unknown placeholder "\${${bad}}"${list}`);
}

/** Text in which `${az}`-style placeholders may appear. */
export const templateText = (required?: string) =>
  leaf<string>(
    { type: 'string', description: `May contain placeholders: ${PLACEHOLDERS.map((p) => '${' + p + '}').join(', ')}` },
    (v) => (typeof v !== 'string' ? typeFail('text', v) : (placeholderFail(v, true) ?? v)),
    required,
  );

export const bool = () =>
  leaf<boolean>({ anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] }, (v) => looseBool(v) ?? typeFail('true or false', v));

export const stringList = () =>
  leaf<readonly string[]>({ type: 'array', items: { type: 'string' } }, (v) =>
    Array.isArray(v) && v.every((a) => typeof a === 'string') ? Object.freeze([...v] as string[]) : typeFail('a list of strings', v),
  );

// ---------------------------------------------------------------- numbers

const looseNumberJson = (min: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  anyOf: [
    { type: 'number', exclusiveMinimum: min, ...extra },
    { type: 'string', pattern: '^\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)\\s*$' },
  ],
});

/**
 * Seconds above this are refused: Node fires a timer of 2^31 ms (~24.9 days)
 * or more after 1 ms, so a huge duration would become a busy loop. Each key
 * sets its own, lower maximum.
 */
export const MAX_SECONDS = { pollTime: 86_400, check: 3600, hook: 3600, holdDown: 86_400, handoff: 300 } as const;

export const positiveNumber = (required?: string, minimum = 0, maximum?: number) =>
  leaf<number>(
    looseNumberJson(0, { ...(minimum > 0 ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}) }),
    (v) => {
      const n = looseNumber(v);
      if (n === undefined || n <= 0) return valueFail(`must be a positive number of seconds (got ${show(v)})`);
      if (n < minimum) return valueFail(`must be at least ${minimum} (got ${show(v)})`);
      if (maximum !== undefined && n > maximum) return valueFail(`must be at most ${maximum} seconds (got ${show(v)})`);
      return n;
    },
    required,
  );

export const nonNegativeNumber = (maximum?: number) =>
  leaf<number>(
    { anyOf: [{ type: 'number', minimum: 0, ...(maximum !== undefined ? { maximum } : {}) }, { type: 'string', pattern: '^\\s*\\+?(\\d+(\\.\\d*)?|\\.\\d+)\\s*$' }] },
    (v) => {
      const n = looseNumber(v);
      if (n === undefined || n < 0) return valueFail(`must be zero or a positive number of seconds (got ${show(v)})`);
      return maximum !== undefined && n > maximum ? valueFail(`must be at most ${maximum} seconds (got ${show(v)})`) : n;
    },
  );

/** A whole number from `min` to `max`; `what` names it in the message. */
function wholeNumber(json: Record<string, unknown>, min: number, max: number, message: string, required?: string) {
  return leaf<number>(
    json,
    (v) => {
      const n = looseNumber(v);
      return n === undefined || !Number.isInteger(n) || n < min || n > max ? valueFail(`${message} (got ${show(v)})`) : n;
    },
    required,
  );
}

export const intRange = (min: number, max: number) =>
  wholeNumber({ anyOf: [{ type: 'integer', minimum: min, maximum: max }, { type: 'string', pattern: '^\\s*\\d+\\s*$' }] }, min, max, `must be a whole number from ${min} to ${max}`);

export const positiveInt = () =>
  wholeNumber(
    { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\s*\\+?[0-9]*[1-9][0-9]*\\s*$' }] },
    1,
    Infinity,
    'must be a positive whole number',
  );

export const port = (required?: string) =>
  wholeNumber(
    { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^\\s*[0-9]{1,5}\\s*$' }] },
    1,
    65535,
    'must be a port number from 1 to 65535',
    required,
  );

// ---------------------------------------------------------------- addresses

/** An IPv4 or IPv6 CIDR; a bare address means its /32 or /128. Output: the canonical block. */
export const cidr = (required?: string) =>
  leaf<Cidr>(
    { type: 'string', description: 'An IPv4 or IPv6 CIDR; a bare address means /32 or /128.' },
    (v) => {
      if (typeof v !== 'string') return typeFail('a CIDR', v);
      const c = parseCidr(v.trim(), { bareAddress: true });
      if (c === undefined) return valueFail(`${show(v)} is not a valid CIDR`);
      // EC2 would store the network address, so the route we look for would never match the one in the table.
      if (hasHostBits(c)) return valueFail(`${show(v)} is not a valid CIDR (host bits are set; the network is ${networkOf(c).text})`);
      return c;
    },
    required,
  );

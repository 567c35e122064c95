// The simulator refuses what AWS refuses, as AWS's published EC2 model (the
// generated EC2_CONTRACT) says: unknown parameters, wrong scalar types and
// enum values, missing required members, MaxResults out of range or combined
// with ids, too many ids, malformed resource ids, and filter names the
// action's documentation does not list. ec2-server.ts runs validateRequest
// after throttling and before the action's own checks (so before DryRun).
// Codes and messages: docs/simulator.md, "Where the contract comes from".
import { Ec2Error, invalidValue, missing } from '../errors.js';
import { wellFormedId } from '../ids.js';
import type { Query } from '../query.js';
import { EC2_CONTRACT } from './gen/index.js';
import { NEWER_THAN_MODEL } from './newer-than-model.js';
import type { ActionContract, ParamSpec } from './types.js';

/**
 * Signature Version 4 query-string parameters, which every EC2 action accepts
 * besides Action and Version ("Common query parameters",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html).
 */
export const SIGV4_QUERY_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
] as const;

/**
 * Id parameters (top-level `Name` or `Name.N`) and AWS's `…Malformed` code
 * for an id without its prefix and 8 or 17 lowercase letters or digits.
 * Codes are spelled as AWS's error list spells them (note `Id` vs `ID`):
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */
export const ID_PARAMS: Readonly<Record<string, { readonly prefix: string; readonly code: string }>> = {
  InstanceId: { prefix: 'i', code: 'InvalidInstanceID.Malformed' },
  RouteTableId: { prefix: 'rtb', code: 'InvalidRouteTableId.Malformed' },
  NetworkInterfaceId: { prefix: 'eni', code: 'InvalidNetworkInterfaceId.Malformed' },
  SubnetId: { prefix: 'subnet', code: 'InvalidSubnetID.Malformed' },
  VpcId: { prefix: 'vpc', code: 'InvalidVpcID.Malformed' },
  // "NatGatewayMalformed: The specified NAT gateway ID is not formed
  // correctly. Ensure that you specify the NAT gateway ID in the form
  // nat-xxxxxxxxxxxxxxxxx." (the error-code list above).
  NatGatewayId: { prefix: 'nat', code: 'NatGatewayMalformed' },
};

/** The simulator-limit answer for a documented filter this simulator does not model. */
export const filterNotModelled = (action: string, name: string): Ec2Error =>
  new Ec2Error(
    'InvalidParameterValue',
    `The filter '${name}' is documented for ${action}, but this simulator does not model it (a limit of the simulator, not of AWS).`,
  );

interface Compiled {
  readonly contract: ActionContract;
  /** Wire pattern (`Filter.N.Name`) -> scalar spec. */
  readonly params: ReadonlyMap<string, ParamSpec>;
  /** Every proper prefix of a pattern, by segments (`Filter`, `Filter.N`, ...). */
  readonly prefixes: ReadonlySet<string>;
  readonly filters: ReadonlySet<string>;
  readonly tagKeyFilters: boolean;
}

const compiled = new Map<string, Compiled>();

function compile(action: string): Compiled | undefined {
  const hit = compiled.get(action);
  if (hit !== undefined) return hit;
  const contract = EC2_CONTRACT.actions[action];
  if (contract === undefined) return undefined;
  const params = new Map<string, ParamSpec>(Object.entries(contract.params));
  for (const [k, v] of Object.entries(NEWER_THAN_MODEL[action]?.params ?? {})) params.set(k, v);
  const prefixes = new Set<string>();
  for (const p of params.keys()) {
    const segs = p.split('.');
    for (let i = 1; i < segs.length; i++) prefixes.add(segs.slice(0, i).join('.'));
  }
  const filters = new Set(contract.filters ?? []);
  const c: Compiled = { contract, params, prefixes, filters, tagKeyFilters: filters.has('tag:<key>') };
  compiled.set(action, c);
  return c;
}

/** Whether AWS documents a filter of this name for the action (`tag:<key>` stands for any `tag:` + key). */
export function isDocumentedFilter(action: string, name: string): boolean {
  const c = compile(action);
  if (c === undefined) return false;
  if (name === 'tag:<key>') return false;
  return c.filters.has(name) || (c.tagKeyFilters && name.startsWith('tag:') && name.length > 4);
}

const isPosition = (s: string): boolean => /^[1-9]\d*$/.test(s);

/** The pattern a wire name would match (`Filter.2.Value.1` -> `Filter.N.Value.N`); `0` is no list position. */
export function patternOf(key: string): string {
  return key
    .split('.')
    .map((s) => (isPosition(s) ? 'N' : s))
    .join('.');
}

/** AWS names the first part of a wire name it does not know ("The parameter ImageType is not recognized"). */
function unknownName(key: string, c: Compiled): string {
  const segs = key.split('.');
  let prefix = '';
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const next = prefix === '' ? (isPosition(s) ? 'N' : s) : `${prefix}.${isPosition(s) ? 'N' : s}`;
    if (!c.prefixes.has(next) && !c.params.has(next)) return /^\d+$/.test(s) && i > 0 ? segs[i - 1]! : s;
    prefix = next;
  }
  return segs.filter((s) => !/^\d+$/.test(s)).at(-1) ?? key;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
/** How AWS's messages name a list parameter: "The parameter instancesSet cannot be used with the parameter maxResults". */
const listName = (wire: string): string => (wire === 'InstanceId' ? 'instancesSet' : `${lowerFirst(wire)}Set`);

const unknownParameter = (name: string): Ec2Error => new Ec2Error('UnknownParameter', `The parameter ${name} is not recognized`);

function checkScalar(key: string, value: string, spec: ParamSpec): void {
  switch (spec.type) {
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw invalidValue(key, value, 'Expected true or false.');
      break;
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(value)) throw invalidValue(key, value, 'Expected an integer.');
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        throw invalidValue(key, value, `It must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}.`);
      break;
    }
    case 'float':
    case 'double':
      if (value.trim() === '' || !Number.isFinite(Number(value))) throw invalidValue(key, value, 'Expected a number.');
      break;
    case 'timestamp':
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value)))
        throw invalidValue(key, value, 'Expected an ISO 8601 date and time.');
      break;
    case 'blob':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw invalidValue(key, value, 'Expected base64.');
      break;
    case 'string':
      break;
  }
  if (spec.enum !== undefined && !spec.enum.includes(value)) {
    const allowed = spec.enum.length <= 20 ? `one of ${spec.enum.join(', ')}` : `one of the ${spec.enum.length} values AWS's model lists`;
    throw invalidValue(key, value, `Expected ${allowed}.`);
  }
}

const present = (q: Query, name: string): boolean => {
  if (q.params.has(name)) return true;
  const head = `${name}.`;
  for (const k of q.params.keys()) if (k.startsWith(head)) return true;
  return false;
};

/** Distinct list positions of `name.N`. */
function listCount(q: Query, name: string): number {
  const head = `${name}.`;
  const seen = new Set<string>();
  for (const k of q.params.keys()) if (k.startsWith(head)) seen.add(k.slice(head.length).split('.')[0]!);
  return seen.size;
}

/** Refuses, as AWS would, a request its model does not allow. Actions without a contract are left to the caller. */
export function validateRequest(action: string, q: Query): void {
  const c = compile(action);
  if (c === undefined) return;
  const { contract } = c;
  // Unknown parameters, then each value's type.
  for (const [key, value] of q.params) {
    if (EC2_CONTRACT.protocolParams.includes(key) || (SIGV4_QUERY_PARAMS as readonly string[]).includes(key)) continue;
    const spec = c.params.get(patternOf(key));
    if (spec === undefined) throw unknownParameter(unknownName(key, c));
    checkScalar(key, value, spec);
  }
  for (const name of contract.required) if (!present(q, name)) throw missing(name);
  const mr = contract.maxResults;
  const maxResults = q.str('MaxResults');
  if (mr !== undefined && maxResults !== undefined) {
    const n = Number(maxResults);
    if (!/^-?\d+$/.test(maxResults) || n < mr.min || n > mr.max)
      throw invalidValue('MaxResults', maxResults, `It must be an integer between ${mr.min} and ${mr.max}.`);
  }
  for (const { a, b } of contract.exclusive ?? [])
    if (present(q, a) && present(q, b))
      throw new Ec2Error('InvalidParameterCombination', `The parameter ${listName(b)} cannot be used with the parameter ${lowerFirst(a)}`);
  for (const [name, max] of Object.entries(contract.maxItems ?? {})) {
    const n = listCount(q, name);
    // Code and wording as EC2 answered DescribeInstanceStatus with 554 ids
    // (https://github.com/bastillion-io/Bastillion-EC2/issues/8); not verified for other actions.
    if (n > max) {
      const noun = name.replace(/Id$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      throw new Ec2Error(
        'InvalidRequest',
        `${n} exceeds the maximum number of ${noun} IDs that can be specificied (${max}). Please specify fewer than ${max} ${noun} IDs.`,
      );
    }
  }
  for (const [key, value] of q.params) {
    const m = /^([A-Za-z]+)(\.[1-9]\d*)?$/.exec(key);
    const kind = m !== null ? ID_PARAMS[m[1]!] : undefined;
    if (kind !== undefined && !wellFormedId(kind.prefix, value))
      throw new Ec2Error(kind.code, `Invalid id: "${value}" (expecting "${kind.prefix}-" followed by 8 or 17 lowercase letters or digits)`);
  }
  if (contract.filters !== undefined)
    for (const [key, value] of q.params)
      if (/^Filter\.[1-9]\d*\.Name$/.test(key) && !isDocumentedFilter(action, value))
        throw new Ec2Error('InvalidParameterValue', `The filter '${value}' is invalid`);
}

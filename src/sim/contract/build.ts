// Builds the EC2 contract from AWS's published EC2 model: botocore's
// data/ec2/2016-11-15/service-2.json, as Debian's python3-botocore package
// installs it. For every action the simulator serves it records the wire
// parameters (EC2 Query protocol names, as botocore's EC2 serializer writes
// them), the filter names the `Filters` documentation lists, the MaxResults
// range, the parameter combinations the documentation refuses, and the output
// shapes (XML element names). render.ts writes it out, generate.ts is the command.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ActionContract, Ec2Contract, OutputShape, ParamSpec, ScalarType } from './types.js';

export const DEFAULT_MODEL = '/usr/lib/python3/dist-packages/botocore/data/ec2/2016-11-15/service-2.json';
export const DEBIAN_PACKAGE = 'python3-botocore';

interface ModelMember {
  readonly shape: string;
  readonly locationName?: string;
  readonly queryName?: string;
  readonly documentation?: string;
}
interface ModelShape {
  readonly type: string;
  readonly members?: Readonly<Record<string, ModelMember>>;
  readonly member?: ModelMember;
  readonly required?: readonly string[];
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}
interface Model {
  readonly metadata: { readonly apiVersion: string; readonly protocol: string };
  readonly operations: Readonly<Record<string, { readonly input?: { readonly shape: string }; readonly output?: { readonly shape: string } }>>;
  readonly shapes: Readonly<Record<string, ModelShape>>;
}

const SCALARS = new Set<string>(['string', 'boolean', 'integer', 'long', 'float', 'double', 'timestamp', 'blob']);

/** The wire name of a member on input, as botocore's EC2Serializer computes it. */
function inputName(name: string, m: ModelMember): string {
  if (m.queryName !== undefined) return m.queryName;
  if (m.locationName !== undefined) return m.locationName[0]!.toUpperCase() + m.locationName.slice(1);
  return name;
}

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The filter names of a `Filters` member's documentation: each list item starts with one. */
export function filterNames(doc: string): string[] {
  const names: string[] = [];
  for (const li of doc.split(/<li>/).slice(1)) {
    const t = text(li);
    const m = /^(\S+?)\s+-\s/.exec(t) ?? /^(\S+?)\s*-/.exec(t);
    if (m === null) continue;
    names.push(m[1]!);
  }
  return names;
}

function scalar(s: ModelShape): ParamSpec {
  return {
    type: s.type as ScalarType,
    ...(s.enum !== undefined ? { enum: [...s.enum] } : {}),
    ...(s.min !== undefined && s.type !== 'string' && s.type !== 'blob' ? { min: s.min } : {}),
    ...(s.max !== undefined && s.type !== 'string' && s.type !== 'blob' ? { max: s.max } : {}),
  };
}

function walkInput(model: Model, shapeName: string, prefix: string, out: Record<string, ParamSpec>, stack: readonly string[]): void {
  const s = model.shapes[shapeName];
  if (s === undefined) throw new Error(`model: no shape ${shapeName}`);
  if (SCALARS.has(s.type)) {
    out[prefix] = scalar(s);
    return;
  }
  if (stack.includes(shapeName)) return; // recursive shapes: the first level is enough
  const next = [...stack, shapeName];
  if (s.type === 'list') {
    // EC2 protocol: list elements are Name.1, Name.2 (the member's own locationName is not used).
    walkInput(model, s.member!.shape, `${prefix}.N`, out, next);
    return;
  }
  if (s.type === 'structure') {
    for (const [name, m] of Object.entries(s.members ?? {})) {
      const wire = inputName(name, m);
      walkInput(model, m.shape, prefix === '' ? wire : `${prefix}.${wire}`, out, next);
    }
    return;
  }
  throw new Error(`model: shape ${shapeName} has type ${s.type}, which the EC2 protocol generator does not handle`);
}

function walkOutput(model: Model, shapeName: string, out: Record<string, OutputShape>): void {
  if (out[shapeName] !== undefined) return;
  const s = model.shapes[shapeName];
  if (s === undefined) throw new Error(`model: no shape ${shapeName}`);
  if (SCALARS.has(s.type)) {
    out[shapeName] = { type: s.type as ScalarType, ...(s.enum !== undefined ? { enum: [...s.enum] } : {}) };
    return;
  }
  if (s.type === 'list') {
    out[shapeName] = { type: 'list', item: s.member!.shape, itemName: s.member!.locationName ?? 'member' };
    walkOutput(model, s.member!.shape, out);
    return;
  }
  if (s.type === 'structure') {
    const members: Record<string, string> = {};
    for (const [name, m] of Object.entries(s.members ?? {})) members[m.locationName ?? name] = m.shape;
    out[shapeName] = { type: 'structure', members };
    for (const m of Object.values(s.members ?? {})) walkOutput(model, m.shape, out);
    return;
  }
  throw new Error(`model: output shape ${shapeName} has type ${s.type}`);
}

function actionContract(model: Model, action: string, shapes: Record<string, OutputShape>): ActionContract {
  const op = model.operations[action];
  if (op === undefined) throw new Error(`model: the simulator serves ${action}, which AWS's model does not have`);
  const inputShape = op.input?.shape;
  if (inputShape === undefined) throw new Error(`model: ${action} has no input shape`);
  const input = model.shapes[inputShape]!;
  const params: Record<string, ParamSpec> = {};
  walkInput(model, inputShape, '', params, []);
  const members = input.members ?? {};
  const required = (input.required ?? []).map((n) => inputName(n, members[n]!));

  // Most actions call the member Filters; a few (DescribeNatGateways) call it Filter.
  const filtersMember = members.Filters ?? (members.Filter?.shape === 'FilterList' ? members.Filter : undefined);
  const filters = filtersMember !== undefined ? filterNames(filtersMember.documentation ?? '') : undefined;
  if (filtersMember !== undefined && filters!.length === 0) throw new Error(`model: ${action}: no filter names found in the Filters documentation`);

  let maxResults: ActionContract['maxResults'];
  const exclusive: { a: string; b: string; documentation: string }[] = [];
  const mr = members.MaxResults;
  if (mr !== undefined) {
    const shape = model.shapes[mr.shape]!;
    const doc = text(mr.documentation ?? '');
    if (shape.min !== undefined && shape.max !== undefined) maxResults = { min: shape.min, max: shape.max, from: 'shape' };
    else {
      const m = /between (\d+) and (\d+)/i.exec(doc);
      if (m !== null) maxResults = { min: Number(m[1]), max: Number(m[2]), from: 'documentation' };
    }
    const sentence = /[^.]*cannot specify this parameter and the ([^.]*?) parameter in the same (?:call|request)[^.]*\./i.exec(doc);
    if (sentence !== null) {
      // "the instance IDs parameter": the action's one list-of-ids member.
      const ids = Object.entries(members).filter(([n, m]) => n !== 'Filters' && n !== 'Filter' && /Ids$/.test(n) && model.shapes[m.shape]?.type === 'list');
      if (ids.length !== 1) throw new Error(`model: ${action}: cannot tell which member "${sentence[1]}" means`);
      exclusive.push({ a: 'MaxResults', b: inputName(ids[0]![0], ids[0]![1]), documentation: sentence[0].trim() });
    }
  }
  const maxItems: Record<string, number> = {};
  for (const [n, m] of Object.entries(members)) {
    if (model.shapes[m.shape]?.type !== 'list') continue;
    const c = /Maximum (\d+) explicitly specified/i.exec(text(m.documentation ?? ''));
    if (c !== null) maxItems[inputName(n, m)] = Number(c[1]);
  }
  const outputShape = op.output?.shape;
  if (outputShape !== undefined) walkOutput(model, outputShape, shapes);
  return {
    input: inputShape,
    ...(outputShape !== undefined ? { output: outputShape } : {}),
    params,
    required,
    ...(filters !== undefined ? { filters } : {}),
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(exclusive.length > 0 ? { exclusive } : {}),
    ...(Object.keys(maxItems).length > 0 ? { maxItems } : {}),
  };
}

/** The botocore version next to a model file (botocore/__init__.py), or 'unknown'. */
function botocoreVersion(modelPath: string): string {
  const init = join(dirname(modelPath), '..', '..', '..', '__init__.py');
  if (!existsSync(init)) return 'unknown';
  const m = /__version__\s*=\s*['"]([^'"]+)['"]/.exec(readFileSync(init, 'utf8'));
  return m?.[1] ?? 'unknown';
}

export function buildContract(modelPath: string, actions: readonly string[]): Ec2Contract {
  const raw = readFileSync(modelPath);
  const model = JSON.parse(raw.toString('utf8')) as Model;
  if (model.metadata.protocol !== 'ec2') throw new Error(`${modelPath} is not an EC2 model (protocol ${model.metadata.protocol})`);
  const shapes: Record<string, OutputShape> = {};
  const out: Record<string, ActionContract> = {};
  for (const a of [...actions].sort()) out[a] = actionContract(model, a, shapes);
  const sortedShapes = Object.fromEntries(Object.entries(shapes).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return {
    source: {
      artifact: `Debian package ${DEBIAN_PACKAGE} (botocore, published by AWS)`,
      version: botocoreVersion(modelPath),
      file: 'botocore/data/ec2/2016-11-15/service-2.json',
      sha256: createHash('sha256').update(raw).digest('hex'),
      apiVersion: model.metadata.apiVersion,
    },
    protocolParams: ['Action', 'Version'],
    actions: out,
    shapes: sortedShapes,
  };
}

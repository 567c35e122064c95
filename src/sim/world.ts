// The world file: YAML describing a region (VPCs, subnets, gateways, route
// tables, instances with their interfaces). Parsed with source positions,
// checked with a schema and then for cross references; every problem is
// reported at once as `FILE:LINE:COL: key.path: message` with code SIM_WORLD.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import * as z from 'zod';
import { Locator } from '../config/locate.js';
import { formatPath } from '../config/problems.js';
import { wellFormedId } from './ids.js';
import { EVENT_CODES, SPOT_ACTIONS, TARGET_LIFECYCLE_STATES } from './model.js';
import { TERMINATED_VISIBLE_MS } from './timing.js';
import { checkReferences } from './world-references.js';

/** Ids must have AWS's shape, or the EC2 API would refuse them as malformed (ids.ts). */
const id = (prefix: string) =>
  z
    .string()
    .refine(
      (v) => wellFormedId(prefix, v),
      `must be ${prefix}- followed by 8 or 17 lowercase letters or digits, as AWS ids are (the EC2 API refuses other ids as malformed)`,
    );
const tags = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({});
const status = z.enum(['ok', 'impaired', 'initializing', 'insufficient-data', 'not-applicable']);

const routeSchema = z
  .strictObject({
    cidr: z.string(),
    instance: id('i').optional(),
    network_interface: id('eni').optional(),
    /** An internet gateway id, or `local` (the VPC's own range; every table has it anyway). */
    gateway: z.union([id('igw'), z.literal('local')]).optional(),
    nat_gateway: id('nat').optional(),
  })
  .refine((r) => [r.instance, r.network_interface, r.gateway, r.nat_gateway].filter((x) => x !== undefined).length === 1, {
    message: 'needs exactly one target: instance, network_interface, gateway or nat_gateway',
  });

/** A moment given as an offset from the simulator's start (or reset), or as an ISO 8601 time. */
const moment = { in_ms: z.number().int().optional(), time: z.iso.datetime().optional() };
const oneMoment = (m: { in_ms?: number | undefined; time?: string | undefined }): boolean => m.in_ms === undefined || m.time === undefined;

/** What the instance's own metadata shows about its lifecycle (spot, Auto Scaling, scheduled events, rebalance). */
const metadataSchema = z.strictObject({
  /** spot/instance-action; `in_ms` defaults to two minutes, AWS's warning time. */
  spot_instance_action: z
    .strictObject({ action: z.enum(SPOT_ACTIONS).default('terminate'), ...moment })
    .refine(oneMoment, 'give in_ms or time, not both')
    .optional(),
  autoscaling_target_lifecycle_state: z.enum(TARGET_LIFECYCLE_STATES).optional(),
  /** events/maintenance/scheduled; `in_ms`/`time` is NotBefore, `duration_ms` the window to NotAfter. */
  scheduled_events: z
    .array(
      z
        .strictObject({
          code: z.enum(EVENT_CODES),
          description: z.string().optional(),
          ...moment,
          duration_ms: z.number().int().min(0).optional(),
        })
        .refine(oneMoment, 'give in_ms or time, not both'),
    )
    .default([]),
  /** events/recommendations/rebalance; the notice time defaults to the start. */
  rebalance_recommendation: z.strictObject(moment).refine(oneMoment, 'give in_ms or time, not both').optional(),
});

const interfaceSchema = z.strictObject({
  id: id('eni').optional(),
  private_ip: z.string(),
  source_dest_check: z.boolean().default(true),
  subnet: id('subnet').optional(),
  delete_on_termination: z.boolean().optional(),
  tags,
});

const schema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region name like us-east-1').default('us-east-1'),
  account_id: z
    .union([z.string(), z.number()])
    .transform(String)
    .refine((s) => /^\d{12}$/.test(s), 'must be 12 digits')
    .default('123456789012'),
  timing: z
    .strictObject({
      pending_ms: z.number().int().min(0).default(0),
      stopping_ms: z.number().int().min(0).default(0),
      shutting_down_ms: z.number().int().min(0).default(0),
      /** How long a terminated instance stays visible; AWS documents "approximately one hour". */
      terminated_visible_ms: z.number().int().min(0).default(TERMINATED_VISIBLE_MS),
      /** Eventual consistency: describe calls read the state as it was this long ago. */
      read_lag_ms: z.number().int().min(0).default(0),
      nat_gateway_pending_ms: z.number().int().min(0).default(0),
      nat_gateway_deleting_ms: z.number().int().min(0).default(0),
      /** How long a deleted or failed NAT gateway stays listed; AWS's VPC guide says "about an hour". */
      nat_gateway_deleted_visible_ms: z.number().int().min(0).default(TERMINATED_VISIBLE_MS),
    })
    .default({
      pending_ms: 0,
      stopping_ms: 0,
      shutting_down_ms: 0,
      terminated_visible_ms: TERMINATED_VISIBLE_MS,
      read_lag_ms: 0,
      nat_gateway_pending_ms: 0,
      nat_gateway_deleting_ms: 0,
      nat_gateway_deleted_visible_ms: TERMINATED_VISIBLE_MS,
    }),
  vpcs: z
    .array(z.strictObject({ id: id('vpc'), cidr: z.string(), ipv6_cidr: z.string().optional(), tags }))
    .min(1, 'at least one VPC'),
  subnets: z.array(z.strictObject({ id: id('subnet'), vpc: id('vpc'), az: z.string(), cidr: z.string(), tags })).default([]),
  internet_gateways: z.array(z.strictObject({ id: id('igw'), vpc: id('vpc').optional(), tags })).default([]),
  nat_gateways: z
    .array(
      z.strictObject({
        id: id('nat'),
        subnet: id('subnet'),
        state: z.enum(['available', 'deleted']).default('available'),
        connectivity_type: z.enum(['public', 'private']).default('public'),
        /** Public gateways: the Elastic IP's allocation id (generated if absent; the simulator has no Elastic IPs). */
        allocation_id: id('eipalloc').optional(),
        /** IPv4 address in the subnet's range; default: the first free one after the four AWS reserves. */
        private_ip: z.string().optional(),
        tags,
      }),
    )
    .default([]),
  route_tables: z
    .array(
      z.strictObject({
        id: id('rtb'),
        vpc: id('vpc'),
        main: z.boolean().default(false),
        tags,
        subnets: z.array(id('subnet')).default([]),
        routes: z.array(routeSchema).default([]),
      }),
    )
    .default([]),
  instances: z
    .array(
      z.strictObject({
        id: id('i'),
        subnet: id('subnet'),
        /** Optional; must be the subnet's zone when given. */
        az: z.string().optional(),
        state: z.enum(['running', 'stopped']).default('running'),
        imdsv2: z.enum(['required', 'optional']).default('required'),
        iam_role: z.string().optional(),
        imds_port: z.number().int().min(1).max(65535).optional(),
        tags,
        status: z.strictObject({ instance: status.optional(), system: status.optional() }).default({}),
        metadata: metadataSchema.default({ scheduled_events: [] }),
        network_interfaces: z.array(interfaceSchema).min(1, 'an instance needs at least one interface'),
      }),
    )
    .default([]),
  generate: z
    .strictObject({
      route_tables: z
        .array(
          z.strictObject({
            vpc: id('vpc'),
            count: z.number().int().min(1).max(10000),
            routes_per_table: z.number().int().min(0).max(1000).default(0),
            /** Generated ids are `rtb-` + this prefix + the table number, 17 characters in all. */
            id_prefix: z
              .string()
              .regex(/^[0-9a-z]{1,12}$/, 'must be 1 to 12 lowercase letters or digits (ids are rtb- and 17 characters)')
              .default('gen'),
            tags: z.record(z.string(), z.string()).default({}),
            first_destination: z.string().default('100.64.0.0'),
            targets: z.array(z.union([id('i'), id('eni')])).min(1),
          }),
        )
        .default([]),
    })
    .default({ route_tables: [] }),
});

export type WorldInput = z.input<typeof schema>;
export type World = z.output<typeof schema>;

export interface WorldProblem {
  readonly code: 'SIM_WORLD';
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

export class WorldError extends Error {
  readonly code = 'SIM_WORLD';
  constructor(readonly problems: readonly WorldProblem[]) {
    super(problems.map(formatWorldProblem).join('\n'));
    this.name = 'WorldError';
  }
}

export function formatWorldProblem(p: WorldProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}

/** A key path segment: an object key or a list index. */
export type Seg = string | number;

/** Parses and checks world YAML text; throws WorldError listing every problem. */
export function parseWorld(text: string, file = '<world>'): World {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locator = new Locator(doc, lines);
  const problem = (path: readonly Seg[], message: string): WorldProblem => ({
    code: 'SIM_WORLD',
    file,
    ...locator.find(path, 'key'),
    path: formatPath(path),
    message,
  });
  if (doc.errors.length > 0) {
    throw new WorldError(
      doc.errors.map((e) => {
        const p = e.linePos?.[0] ?? { line: 1, col: 1 };
        return { code: 'SIM_WORLD', file, line: p.line, col: p.col, path: '', message: e.message.split('\n')[0] ?? 'YAML error' };
      }),
    );
  }
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new WorldError(
      parsed.error.issues.map((i) => problem(i.path.filter((s): s is Seg => typeof s !== 'symbol'), i.message)),
    );
  }
  const problems = checkReferences(parsed.data).map(([path, msg]) => problem(path, msg));
  if (problems.length > 0) throw new WorldError(problems);
  return parsed.data;
}

export function loadWorldFile(file: string): World {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WorldError([{ code: 'SIM_WORLD', file, line: 1, col: 1, path: '', message: `cannot read: ${why}` }]);
  }
  return parseWorld(text, file);
}

// The whole config file: its sections, the checks that need more than one
// section (does every check a route names exist? one spelling of
// routetables?), and the transform that makes the frozen Config: it gives
// each check its name and each check and route what its children inherit.
// One parse of the YAML data with configSchema() validates it and builds
// the model.
import { dirname } from 'node:path';
import { ErrorCode } from '../codes.js';
import { DEFAULTS } from '../model.js';
import type { Config } from '../model.js';
import type { PathSegment } from '../problems.js';
import { suggest } from '../values.js';
import { checkSection, checkSpecs } from './checks.js';
import { handoffKeys, lifecycleSection } from './handoff.js';
import { isPlainObject, report } from './issues.js';
import { MAX_SECONDS, bool, positiveNumber } from './leaf.js';
import { routeTable, routeTableSpec } from './routes.js';
import { mappingOf, namedMap, strictKeys } from './shapes.js';
import type { PartialCheck } from './shapes.js';
import { drainSection, statusSection } from './status.js';

const TABLES = ['routetables', 'route_tables'] as const;

/** Which spelling of the route tables key the file uses (routetables when both). */
const tablesKey = (doc: Readonly<Record<string, unknown>>) => TABLES.find((k) => Object.hasOwn(doc, k));

const oneTablesKey: PartialCheck = (doc, ctx) => {
  if (TABLES.every((k) => Object.hasOwn(doc, k)))
    report(ctx, ErrorCode.Value, 'routetables and route_tables are the same setting; use only one', { path: ['route_tables'], at: 'key' });
  if (tablesKey(doc) === undefined) report(ctx, ErrorCode.Missing, 'routetables is missing (at least one route table is required)');
};

const didYouMean = (name: string, known: readonly string[]): string => {
  const s = suggest(name, known);
  return s !== undefined ? ` (did you mean "${s}"?)` : '';
};

/** Every check a route names is defined, in the right section. Reads the routes as written (see routes.ts). */
const definedChecks: PartialCheck = (doc, ctx) => {
  const names = (v: unknown): string[] => (isPlainObject(v) ? Object.keys(v) : []);
  const local = names(doc.healthchecks);
  const remote = names(doc.remote_healthchecks);
  const key = tablesKey(doc);
  const tables = key !== undefined ? doc[key] : undefined;
  if (key === undefined || !isPlainObject(tables)) return;
  for (const [tableName, table] of Object.entries(tables)) {
    if (!isPlainObject(table) || !Array.isArray(table.manage_routes)) continue;
    table.manage_routes.forEach((r: unknown, i: number) => {
      if (!isPlainObject(r)) return;
      const at = (...rest: PathSegment[]): PathSegment[] => [key, tableName, 'manage_routes', i, ...rest];
      const hc = r.healthcheck;
      const listed = (Array.isArray(hc) ? hc : typeof hc === 'string' ? [hc] : []) as unknown[];
      listed.forEach((n, j) => {
        if (typeof n !== 'string' || local.includes(n)) return;
        const hint = remote.includes(n) ? ' (it is a remote_healthchecks template; use remote_healthcheck)' : didYouMean(n, local);
        report(ctx, ErrorCode.UndefinedRef, `route ${tableName} uses healthcheck "${n}" which is not defined${hint}`, {
          path: Array.isArray(hc) ? at('healthcheck', j) : at('healthcheck'),
        });
      });
      const n = r.remote_healthcheck;
      if (typeof n === 'string' && !remote.includes(n)) {
        const hint = local.includes(n) ? ' (it is a local check; remote_healthcheck names a remote_healthchecks template)' : didYouMean(n, remote);
        report(ctx, ErrorCode.UndefinedRef, `route uses remote_healthcheck "${n}" which is not defined${hint}`, { path: at('remote_healthcheck') });
      }
    });
  }
};

/**
 * The schema of a config file at `file` (absolute; relative certPaths are
 * read from its folder). Its output is the frozen Config. `trusted` (run,
 * plan, check, a reload): a CA file another user could change is refused.
 */
export function configSchema(file: string, trusted = false) {
  const env = { baseDir: dirname(file), trusted };
  const tables = () => namedMap(routeTable, 'a mapping of name to route table', 'must hold at least one route table');
  return mappingOf(
    strictKeys(
      {
        poll_time: positiveNumber(undefined, 0, MAX_SECONDS.pollTime).default(DEFAULTS.pollTime).describe('Seconds between route table reads. Default 300; at most 86400 (a day).'),
        all_vpcs: bool().default(false).describe("Manage matching route tables in every VPC of the region, not only this instance's VPC. Default false."),
        healthchecks: checkSection(false, env),
        remote_healthchecks: checkSection(true, env),
        routetables: tables().optional(),
        route_tables: tables().optional().describe('Same as routetables.'),
        status: statusSection.describe('The local status socket and the optional HTTP status endpoint.'),
        drain: drainSection.describe('Where drain state is kept.'),
        pass_aws_env: bool()
          .default(false)
          .describe("Give hooks and command checks the daemon's AWS_* environment variables (credentials among them). Default false: they get none."),
        pass_capabilities: bool()
          .default(false)
          .describe("Let hooks and command checks inherit the daemon's ambient capabilities (CAP_NET_RAW under the packaged unit, and any a drop-in adds). Default false: they get none."),
        ...handoffKeys,
        lifecycle: lifecycleSection.describe("Which of the instance's own lifecycle signals in metadata start a hand-off."),
      },
      oneTablesKey,
      definedChecks,
    ).transform((doc): Config => {
      // One setting for every child; each spec carries it, so a reload that changes it restarts the checks.
      const inherit = Object.freeze({ awsEnv: doc.pass_aws_env, capabilities: doc.pass_capabilities });
      const routeTables = Object.freeze(Object.entries(doc.routetables ?? doc.route_tables ?? {}).map(([name, t]) => routeTableSpec(name, t, inherit)));
      const handsOff = routeTables.some((t) => t.routes.some((r) => r.peers !== undefined || r.fallback !== undefined));
      return Object.freeze({
        file,
        pollTime: doc.poll_time,
        allVpcs: doc.all_vpcs,
        inherit,
        ...doc.status,
        ...doc.drain,
        healthchecks: checkSpecs(doc.healthchecks, inherit),
        remoteHealthchecks: checkSpecs(doc.remote_healthchecks, inherit),
        routeTables,
        handoffOnStop: doc.handoff_on_stop,
        handoffTimeout: doc.handoff_timeout,
        watchTime: doc.watch_time ?? (handsOff ? DEFAULTS.watchTime : 0),
        lifecycle: doc.lifecycle,
      });
    }),
    'a mapping of settings',
  );
}

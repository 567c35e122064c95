// The JSON admin API under /_sim/ (on the EC2 port and on the separate admin
// port, which stays up during a `refuse` outage). See docs/simulator.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { Ec2Error } from './errors.js';
import { EVENT_CODES, SPOT_ACTIONS, TARGET_LIFECYCLE_STATES } from './model.js';
import type { Simulator } from './simulator.js';

class AdminError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const statusValue = z.enum(['ok', 'impaired', 'initializing', 'insufficient-data', 'not-applicable']);
const bucket = z.strictObject({ burst: z.number().int().min(1), perSecond: z.number().positive() }).partial();
const faultsPatch = z.strictObject({
  latencyMs: z.record(z.string(), z.number().min(0)).optional(),
  throttle: z
    .strictObject({
      enabled: z.boolean(),
      forced: z.boolean(),
      forcedActions: z.array(z.string()),
      describe: bucket,
      mutate: bucket,
    })
    .partial()
    .optional(),
  errors: z
    .strictObject({
      rate: z.number().min(0).max(1),
      status: z.union([z.literal(500), z.literal(503)]),
      actions: z.array(z.string()),
      seed: z.number().int(),
    })
    .partial()
    .optional(),
  outage: z.strictObject({ mode: z.enum(['none', 'refuse', 'hang']), forMs: z.number().int().min(1).optional() }).optional(),
  imds: z
    .strictObject({ mode: z.enum(['none', 'refuse', 'hang', 'error']), instances: z.array(z.string()) })
    .partial()
    .optional(),
});
const actionName = z.string().regex(/^(?:\*|[A-Z][A-Za-z0-9]{1,63})$/, 'an EC2 action name such as ReplaceRoute, or *');
const denyRule = z.strictObject({ actions: z.array(actionName).min(1), callers: z.array(z.string().min(1)).optional() });
/** A moment: an ISO 8601 `time` or `inMs` from now, not both. */
const moment = { time: z.iso.datetime().optional(), inMs: z.number().int().optional() };
const oneMoment = (m: { time?: string | undefined; inMs?: number | undefined }): boolean => m.time === undefined || m.inMs === undefined;
const spotNotice = z.strictObject({ action: z.enum(SPOT_ACTIONS).optional(), ...moment }).refine(oneMoment, 'give time or inMs, not both');
const scheduledEvent = z
  .strictObject({ code: z.enum(EVENT_CODES), description: z.string().optional(), durationMs: z.number().int().min(0).optional(), ...moment })
  .refine(oneMoment, 'give time or inMs, not both');
const rebalanceNotice = z.strictObject(moment).refine(oneMoment, 'give time or inMs, not both');

const timing = z
  .strictObject({
    pendingMs: z.number().int().min(0),
    stoppingMs: z.number().int().min(0),
    shuttingDownMs: z.number().int().min(0),
    terminatedVisibleMs: z.number().int().min(0),
    readLagMs: z.number().int().min(0),
    natGatewayPendingMs: z.number().int().min(0),
    natGatewayDeletingMs: z.number().int().min(0),
    natGatewayDeletedVisibleMs: z.number().int().min(0),
  })
  .partial();

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function parseBody<T>(schema: z.ZodType<T>, body: string): T {
  let raw: unknown;
  try {
    raw = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new AdminError('SIM_BAD_REQUEST', 'body is not JSON', 400);
  }
  const r = schema.safeParse(raw);
  if (!r.success)
    throw new AdminError(
      'SIM_BAD_REQUEST',
      r.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`).join('; '),
      400,
    );
  return r.data;
}

export function adminHandler(sim: Simulator): (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void> {
  return async (req, res, body) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sim');
      const path = url.pathname.replace(/\/+$/, '');
      const method = req.method ?? 'GET';
      const seg = path.split('/').slice(2); // ['', '_sim', ...]
      const [a, id, op] = seg;
      const route = `${method} ${a ?? ''}${id !== undefined ? '/:id' : ''}${op !== undefined ? `/${op}` : ''}`;
      switch (route) {
        case 'GET health':
          return json(res, 200, { ok: true });
        case 'GET instances':
          return json(res, 200, {
            ec2Endpoint: sim.ec2Endpoint,
            adminEndpoint: sim.adminEndpoint,
            region: sim.region,
            accountId: sim.accountId,
            instances: await sim.instances(),
          });
        case 'POST instances/:id/stop':
          return json(res, 200, sim.stopInstance(id!));
        case 'POST instances/:id/start':
          return json(res, 200, sim.startInstance(id!));
        case 'POST instances/:id/terminate':
          return json(res, 200, sim.terminateInstance(id!));
        case 'POST instances/:id/status': {
          const s = parseBody(z.strictObject({ instance: statusValue.optional(), system: statusValue.optional() }), body);
          sim.setInstanceStatus(id!, s);
          return json(res, 200, { instanceId: id, ...s });
        }
        case 'POST instances/:id/impair': {
          const s = parseBody(z.strictObject({ instance: z.boolean().optional(), system: z.boolean().optional() }), body);
          const change = {
            instance: s.instance !== false ? ('impaired' as const) : undefined,
            system: s.system === true ? ('impaired' as const) : undefined,
          };
          sim.setInstanceStatus(id!, change);
          return json(res, 200, { instanceId: id, ...change });
        }
        case 'POST instances/:id/recover':
          sim.setInstanceStatus(id!, { instance: 'ok', system: 'ok' });
          return json(res, 200, { instanceId: id, instance: 'ok', system: 'ok' });
        case 'POST instances/:id/spot-interruption':
          return json(res, 200, { instanceId: id, ...sim.setSpotInterruption(id!, parseBody(spotNotice, body)) });
        case 'DELETE instances/:id/spot-interruption':
          sim.setSpotInterruption(id!, null);
          return json(res, 200, { instanceId: id, spotInstanceAction: null });
        case 'POST instances/:id/target-lifecycle-state': {
          const { state } = parseBody(z.strictObject({ state: z.enum(TARGET_LIFECYCLE_STATES) }), body);
          sim.setTargetLifecycleState(id!, state);
          return json(res, 200, { instanceId: id, targetLifecycleState: state });
        }
        case 'DELETE instances/:id/target-lifecycle-state':
          sim.setTargetLifecycleState(id!, null);
          return json(res, 200, { instanceId: id, targetLifecycleState: null });
        case 'POST instances/:id/scheduled-events':
          return json(res, 200, { instanceId: id, event: sim.addScheduledEvent(id!, parseBody(scheduledEvent, body)) });
        case 'DELETE instances/:id/scheduled-events': {
          const eventId = url.searchParams.get('eventId');
          return json(res, 200, { instanceId: id, events: sim.clearScheduledEvents(id!, eventId ?? undefined) });
        }
        case 'POST instances/:id/rebalance-recommendation':
          return json(res, 200, { instanceId: id, ...sim.setRebalanceRecommendation(id!, parseBody(rebalanceNotice, body)) });
        case 'DELETE instances/:id/rebalance-recommendation':
          sim.setRebalanceRecommendation(id!, null);
          return json(res, 200, { instanceId: id, noticeTime: null });
        case 'GET nat-gateways':
          return json(res, 200, { natGateways: sim.natGateways() });
        case 'POST network-interfaces/:id/detach':
          sim.detachNetworkInterface(id!);
          return json(res, 200, { networkInterfaceId: id, attached: false });
        case 'POST network-interfaces/:id/delete':
          sim.deleteNetworkInterface(id!);
          return json(res, 200, { networkInterfaceId: id, deleted: true });
        case 'GET route-tables': {
          const ids = url.searchParams.get('id');
          return json(res, 200, {
            routeTables: sim.routeTables({
              ...(url.searchParams.get('vpcId') !== null ? { vpcId: url.searchParams.get('vpcId')! } : {}),
              ...(ids !== null ? { ids: ids.split(',') } : {}),
            }),
          });
        }
        case 'GET faults':
          return json(res, 200, sim.faults());
        case 'POST faults':
        case 'PUT faults':
          return json(res, 200, await sim.setFaults(parseBody(faultsPatch, body)));
        case 'DELETE faults':
          await sim.clearFaults();
          return json(res, 200, sim.faults());
        case 'POST timing':
          return json(res, 200, sim.setTiming(parseBody(timing, body)));
        case 'GET deny':
          return json(res, 200, { rules: sim.denied() });
        case 'POST deny':
          return json(res, 200, { rules: sim.deny(parseBody(denyRule, body)) });
        case 'DELETE deny':
          sim.clearDeny();
          return json(res, 200, { rules: sim.denied() });
        case 'GET counters':
          return json(res, 200, sim.counters());
        case 'DELETE counters':
          sim.resetCounters();
          return json(res, 200, sim.counters());
        case 'GET requests': {
          const since = url.searchParams.get('since');
          const caller = url.searchParams.get('caller');
          if (since !== null && !/^\d+$/.test(since)) throw new AdminError('SIM_BAD_REQUEST', 'since must be a seq (a whole number)', 400);
          return json(res, 200, sim.requests({ ...(since !== null ? { since: Number(since) } : {}), ...(caller !== null ? { caller } : {}) }));
        }
        case 'DELETE requests':
          sim.resetRequests();
          return json(res, 200, sim.requests());
        case 'GET mutations': {
          const p = url.searchParams;
          const since = p.get('since');
          const kind = p.get('kind');
          if (kind !== null && kind !== 'route' && kind !== 'instance' && kind !== 'resource')
            throw new AdminError('SIM_BAD_REQUEST', 'kind must be route, instance or resource', 400);
          const entries = sim.mutations({
            ...(since !== null ? { since: Number(since) } : {}),
            ...(kind !== null ? { kind } : {}),
            ...(p.get('routeTableId') !== null ? { routeTableId: p.get('routeTableId')! } : {}),
            ...(p.get('cidr') !== null ? { cidr: p.get('cidr')! } : {}),
            ...(p.get('instanceId') !== null ? { instanceId: p.get('instanceId')! } : {}),
          });
          const all = sim.state.log;
          return json(res, 200, { lastSeq: all.length > 0 ? all[all.length - 1]!.seq : 0, entries });
        }
        case 'POST reset':
          await sim.reset();
          return json(res, 200, { ok: true });
        default:
          throw new AdminError('SIM_NOT_FOUND', `no admin route ${method} ${path}`, 404);
      }
    } catch (e) {
      if (e instanceof AdminError) return json(res, e.status, { error: { code: e.code, message: e.message } });
      if (e instanceof Ec2Error) return json(res, e.code.endsWith('.NotFound') ? 404 : 409, { error: { code: e.code, message: e.message } });
      return json(res, 500, { error: { code: 'SIM_INTERNAL', message: e instanceof Error ? e.message : String(e) } });
    }
  };
}

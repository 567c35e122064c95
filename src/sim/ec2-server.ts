// The EC2 Query endpoint: POST form bodies in, XML out. Applies, in order:
// outage (hang), counting, latency, injected errors, throttling, validation
// of the request against AWS's model (contract/enforce.ts), the deny list
// (deny.ts: UnauthorizedOperation), the action's own checks against the
// state, then the action (DryRun answers DryRunOperation before anything
// changes). Paths under /_sim/ go to the admin API instead.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { formatHostPort } from '../net/address.js';
import { validateRequest } from './contract/enforce.js';
import { callerOf, type Counters } from './counters.js';
import { ACTIONS } from './ec2-actions/index.js';
import type { RenderCache } from './ec2-actions/render-cache.js';
import { dryRunOk, Ec2Error, throttled } from './errors.js';
import { DenyList } from './deny.js';
import type { Faults } from './faults.js';
import { Query } from './query.js';
import type { RequestLog } from './requests.js';
import type { Ec2State } from './state.js';
import { errorXml, responseChunks } from './xml.js';

export interface Ec2Backend {
  readonly state: Ec2State;
  readonly cache: RenderCache;
  readonly faults: Faults;
  readonly deny: DenyList;
  readonly counters: Counters;
  readonly requests: RequestLog;
  /** Called for unexpected exceptions (bugs), which are answered with 500 InternalError. */
  readonly onInternalError: (e: unknown) => void;
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void>;

const MAX_BODY = 1 << 20;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Ec2Error('RequestEntityTooLarge', 'Request body too large', 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendChunks(res: ServerResponse, chunks: readonly (string | Buffer)[]): void {
  let length = 0;
  for (const c of chunks) length += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
  res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': length });
  res.cork();
  for (const c of chunks) res.write(c);
  res.uncork();
  res.end();
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

/** One HTTP listener that can be taken down (refusing connections) and brought back on the same port. */
export class Listener {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private up = false;

  constructor(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly host: string,
  ) {
    this.server = createServer({ keepAliveTimeout: 5000 }, handler);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.up = true;
    return this.port;
  }

  /** host:port as it goes into a URL (an IPv6 host in brackets). */
  get address(): string {
    return formatHostPort(this.host, this.port);
  }

  get listening(): boolean {
    return this.up;
  }

  /** Stops accepting connections and drops open ones; new connections are refused. */
  async down(): Promise<void> {
    if (!this.up) return;
    this.up = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Listens again on the same port. */
  async again(): Promise<void> {
    if (this.up) return;
    await this.listen(this.port);
  }

  destroySockets(): void {
    for (const s of this.sockets) s.destroy();
  }
}

export class Ec2Server {
  readonly listener: Listener;
  private readonly held = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly backend: () => Ec2Backend,
    private readonly admin: AdminHandler,
    host: string,
  ) {
    this.listener = new Listener((req, res) => void this.handle(req, res), host);
  }

  /** Ends requests held by a `hang` outage (their sockets are destroyed, as a dead server would). */
  releaseHeld(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.releaseHeld();
    await this.listener.down();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const b = this.backend();
    const requestId = randomUUID();
    let action = '';
    try {
      const body = await readBody(req);
      if ((req.url ?? '').startsWith('/_sim/') || req.url === '/_sim') {
        await this.admin(req, res, body);
        return;
      }
      if (b.faults.settings.outage.mode === 'hang') {
        this.held.add(res);
        res.on('close', () => this.held.delete(res));
        return;
      }
      if (req.method !== 'POST' && req.method !== 'GET')
        throw new Ec2Error('InvalidAction', `Method ${req.method ?? ''} is not supported`);
      const q = Query.parse(req.method === 'GET' ? (req.url ?? '').replace(/^[^?]*\??/, '') : body);
      action = q.str('Action') ?? '';
      if (action === '') throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
      const caller = callerOf(req.headers.authorization);
      b.counters.call(action, caller);
      b.requests.record(b.state.clock.now(), action, caller, q);
      const def = ACTIONS.get(action);
      if (def === undefined) throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
      const delay = b.faults.latencyFor(action);
      if (delay > 0) await this.sleep(delay);
      const injected = b.faults.injectedError(action);
      if (injected === 500) throw new Ec2Error('InternalError', 'An internal error has occurred', 500);
      if (injected === 503) throw new Ec2Error('Unavailable', 'The server is overloaded and cannot handle the request', 503);
      if (b.faults.throttled(action, def.kind)) throw throttled();
      validateRequest(action, q);
      // As IAM would: before the action looks at the state, for DryRun and real calls alike (AWS does not
      // document whether its authorization comes before its own checks; this is the simulator's choice).
      if (b.deny.denies(action, caller)) throw DenyList.error(action, caller);
      const dryRun = q.bool('DryRun') === true;
      b.state.settle();
      const apply = def.run({ state: b.state, q, who: { action, caller }, cache: b.cache });
      if (dryRun) throw dryRunOk();
      const chunks = responseChunks(action, requestId, apply());
      b.counters.result(action, undefined);
      sendChunks(res, chunks);
    } catch (e) {
      const err =
        e instanceof Ec2Error ? e : new Ec2Error('InternalError', 'An internal error has occurred', 500);
      if (!(e instanceof Ec2Error)) b.onInternalError(e);
      if (action !== '') b.counters.result(action, err.code);
      if (!res.headersSent) sendXml(res, err.status, errorXml(err.code, err.message, requestId));
    }
  }
}

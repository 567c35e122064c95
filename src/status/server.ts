// The status endpoints. On the unix socket (mode 0600, so only the daemon's
// user and root reach it): GET /status, /healthz, /metrics and POST /drain,
// /undrain. On the optional TCP listener: only the GETs. Drain is never
// reachable over the network.
//
// Both listeners cap connections and time out idle and slow ones, so local
// clients cannot use up the daemon's file descriptors (its checks and EC2
// calls need them). The TCP listener answers only requests whose Host is a
// loopback literal or localhost (DNS rebinding). The socket is created mode
// 0600 (umask around listen) and is single-instance: a live socket at the
// path stops start-up instead of being replaced.
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { DaemonView, DrainControl } from '../daemon/view.js';
import type { Logger } from '../log/logger.js';
import { isLoopbackIp, parseHostPort, parseIp } from '../net/address.js';
import type { Metrics } from './metrics.js';
import { statusDocument } from './snapshot.js';

export interface StatusServerOptions {
  readonly daemon: DaemonView & DrainControl;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly version: string;
  readonly noop: boolean;
  readonly socketPath?: string;
  readonly listen?: { readonly host: string; readonly port: number };
  /** Connection limits and timeouts; the defaults are STATUS_LIMITS (tests shorten them). */
  readonly limits?: Partial<StatusLimits>;
}

export interface StatusLimits {
  /** Open connections per listener; more are closed as soon as accepted. */
  readonly maxConnections: number;
  /** A connection with no traffic for this long is closed. */
  readonly idleMs: number;
  /** The request headers must arrive within this. */
  readonly headersMs: number;
  /** The whole request must arrive within this. */
  readonly requestMs: number;
  /** A kept-alive connection waits this long for the next request. */
  readonly keepAliveMs: number;
}

export const STATUS_LIMITS: StatusLimits = { maxConnections: 64, idleMs: 10_000, headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000 };

/** Another daemon answers on the status socket: this one must not start (it would take the socket over). */
export class StatusSocketInUse extends Error {
  readonly code = 'STATUS_SOCKET_IN_USE';
  constructor(readonly path: string) {
    super(
      `the status socket ${path} is in use by another running awsnycast (it answered a connection); stop that daemon first, or give this one another status.socket`,
    );
    this.name = 'StatusSocketInUse';
  }
}

const isLoopbackName = (host: string): boolean => host === 'localhost' || isLoopbackIp(host);

/**
 * Whether a request's Host header may be served on the TCP endpoint: a loopback literal (127.0.0.0/8,
 * [::1]) or localhost, with or without a port. A name that merely resolves to us (DNS rebinding: a web
 * page at evil.example whose name now points at 127.0.0.1) is refused. When the endpoint listens on a
 * non-loopback address (allow_non_loopback), IP literals are accepted too: they cannot be rebound.
 */
export function hostAllowed(host: string | undefined, anyIpLiteral = false): boolean {
  if (host === undefined) return false;
  const hp = parseHostPort(host.trim().toLowerCase(), { defaultPort: 0 });
  if (hp === undefined) return false;
  if (isLoopbackName(hp.host)) return true;
  return anyIpLiteral && parseIp(hp.host) !== undefined;
}

export interface StatusServer {
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

function handler(o: StatusServerOptions, local: boolean, startedAt: Date, anyIpLiteral = false) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!local && !hostAllowed(req.headers.host, anyIpLiteral)) {
      res.writeHead(403, { 'content-type': 'text/plain', 'cache-control': 'no-store', connection: 'close' });
      res.end('forbidden: Host must be localhost or a loopback address\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const run = async (): Promise<void> => {
      switch (route) {
        case 'GET /status':
          return send(res, 200, statusDocument(o.daemon, { version: o.version, noop: o.noop, startedAt }));
        case 'GET /healthz': {
          const last = o.daemon.lastPass;
          const pollMs = o.daemon.currentConfig.pollTime * 1000;
          const age = last === undefined ? null : Date.now() - Date.parse(last.startedAt);
          // Alive while passes keep coming: the first one may still be under way.
          const alive = age === null ? Date.now() - startedAt.getTime() < 120_000 : age < 3 * pollMs + 60_000;
          return send(res, alive ? 200 : 503, { ok: alive, lastPassAgeSeconds: age === null ? null : Math.round(age / 1000) });
        }
        case 'GET /metrics':
          return send(res, 200, await o.metrics.registry.metrics(), o.metrics.registry.contentType);
        case 'POST /drain':
        case 'POST /undrain': {
          if (!local) return send(res, 403, { error: { code: 'STATUS_LOCAL_ONLY', message: 'drain and undrain are only served on the local socket' } });
          const force = url.searchParams.get('force') === '1' || url.searchParams.get('force') === 'true';
          o.daemon.setDrain(route === 'POST /drain' ? { force } : undefined);
          return send(res, 200, { drained: o.daemon.drainState() ?? null });
        }
        default:
          return send(res, 404, { error: { code: 'STATUS_NOT_FOUND', message: `no ${route}` } });
      }
    };
    run().catch((e: unknown) => {
      o.log.error({ route, error: e instanceof Error ? e.message : String(e) }, 'status request failed');
      if (!res.headersSent) send(res, 500, { error: { code: 'STATUS_INTERNAL', message: e instanceof Error ? e.message : String(e) } });
    });
  };
}

function listen(server: Server, how: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(how, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function limitedServer(h: (req: IncomingMessage, res: ServerResponse) => void, l: StatusLimits): Server {
  const s = createServer(
    {
      headersTimeout: l.headersMs,
      requestTimeout: l.requestMs,
      keepAliveTimeout: l.keepAliveMs,
      // How often headersTimeout and requestTimeout are enforced (Node's default is 30 s).
      connectionsCheckingInterval: Math.min(1000, l.headersMs),
    },
    h,
  );
  s.maxConnections = l.maxConnections;
  // Idle sockets (nothing sent, or nothing more) are destroyed after idleMs (no 'timeout' listener: Node destroys them).
  s.timeout = l.idleMs;
  return s;
}

/** Whether something accepts connections on the unix socket at path. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const c = connect({ path });
    const t = setTimeout(() => {
      // Accepted by the kernel (it did not refuse) but not served in time: still someone's live socket.
      c.destroy();
      resolve(true);
    }, 2000);
    c.once('connect', () => {
      clearTimeout(t);
      c.destroy();
      resolve(true);
    });
    c.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      // Refused (no listener) or gone: a socket left by a daemon that died.
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') resolve(false);
      else reject(new Error(`cannot tell whether ${path} is in use: ${e.message}`));
    });
  });
}

/** Listens on the unix socket, created mode 0600 (never chmod-ed: that would follow a symlink), and returns its inode. */
async function listenSocket(s: Server, path: string): Promise<number> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  // lstat: a symlink at the path is not followed, and is not ours to remove.
  const st = lstatOrUndefined(path);
  if (st !== undefined) {
    if (!st.isSocket()) throw new Error(`${path} exists and is not a socket`);
    if (await answers(path)) throw new StatusSocketInUse(path);
    rmSync(path);
  }
  const old = process.umask(0o177);
  try {
    await listen(s, { path });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new StatusSocketInUse(path);
    throw e;
  } finally {
    process.umask(old);
  }
  const made = lstatSync(path);
  if (!made.isSocket() || (made.mode & 0o777) !== 0o600) {
    s.close();
    throw new Error(`${path} was not created as a mode 0600 socket (mode ${(made.mode & 0o777).toString(8)})`);
  }
  return made.ino;
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Opens the socket and the endpoint. A socket another daemon serves is a StatusSocketInUse error (the
 * caller stops start-up); other failures are logged and the daemon runs without that listener.
 */
export async function startStatusServer(o: StatusServerOptions): Promise<StatusServer> {
  const startedAt = new Date();
  const limits: StatusLimits = { ...STATUS_LIMITS, ...o.limits };
  const servers: Server[] = [];
  let socketIno: number | undefined;
  if (o.socketPath !== undefined) {
    const path = o.socketPath;
    const s = limitedServer(handler(o, true, startedAt), limits);
    try {
      socketIno = await listenSocket(s, path);
      servers.push(s);
      o.log.info({ socket: path }, 'status socket ready (status, metrics, drain)');
    } catch (e) {
      if (e instanceof StatusSocketInUse) throw e;
      o.log.warn({ socket: path, error: e instanceof Error ? e.message : String(e) }, 'cannot open the status socket; status and drain are unavailable (set status.socket)');
    }
  }
  if (o.listen !== undefined) {
    const s = limitedServer(handler(o, false, startedAt, !isLoopbackName(o.listen.host)), limits);
    try {
      await listen(s, o.listen);
      servers.push(s);
      o.log.info({ listen: `${o.listen.host}:${o.listen.port}` }, 'status endpoint ready (GET /status, /healthz, /metrics)');
    } catch (e) {
      o.log.warn({ listen: o.listen, error: e instanceof Error ? e.message : String(e) }, 'cannot open the status endpoint');
    }
  }
  return {
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.close(() => r());
              s.closeAllConnections();
            }),
        ),
      );
      // Removed only if it is still the socket we made (not one another daemon made since).
      if (socketIno !== undefined && o.socketPath !== undefined && lstatOrUndefined(o.socketPath)?.ino === socketIno) rmSync(o.socketPath, { force: true });
    },
  };
}

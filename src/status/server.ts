// The status endpoints. On the unix socket (mode 0600, so only the daemon's
// user and root reach it): GET /status, /healthz, /metrics and POST /drain,
// /undrain. On the optional TCP listener: only the GETs. Drain is never
// reachable over the network.
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Daemon } from '../daemon/daemon.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from './metrics.js';
import { statusDocument } from './snapshot.js';

export interface StatusServerOptions {
  readonly daemon: Daemon;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly version: string;
  readonly noop: boolean;
  readonly socketPath?: string;
  readonly listen?: { readonly host: string; readonly port: number };
}

export interface StatusServer {
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

function handler(o: StatusServerOptions, local: boolean, startedAt: Date) {
  return (req: IncomingMessage, res: ServerResponse): void => {
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

export async function startStatusServer(o: StatusServerOptions): Promise<StatusServer> {
  const startedAt = new Date();
  const servers: Server[] = [];
  let socketOpen = false;
  if (o.socketPath !== undefined) {
    const path = o.socketPath;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      // A socket left behind by a daemon that died is replaced; any other file is not.
      if (existsSync(path)) {
        if (!statSync(path).isSocket()) throw new Error(`${path} exists and is not a socket`);
        rmSync(path);
      }
      const s = createServer(handler(o, true, startedAt));
      await listen(s, { path });
      chmodSync(path, 0o600);
      servers.push(s);
      socketOpen = true;
      o.log.info({ socket: path }, 'status socket ready (status, metrics, drain)');
    } catch (e) {
      o.log.warn({ socket: path, error: e instanceof Error ? e.message : String(e) }, 'cannot open the status socket; status and drain are unavailable (set status.socket)');
    }
  }
  if (o.listen !== undefined) {
    const s = createServer(handler(o, false, startedAt));
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
      if (socketOpen && o.socketPath !== undefined) rmSync(o.socketPath, { force: true });
    },
  };
}

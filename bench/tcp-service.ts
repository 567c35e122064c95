// A TCP service for the daemons' health checks to probe: it accepts, counts
// and closes each connection, and `close()` kills it with its open sockets
// (the fault of the failover scenarios).
import net from 'node:net';

/** A TCP service on `host` that accepts and closes; `close()` kills it and its open sockets. */
export class Service {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  /** Connections accepted since the service was last opened (health probes). */
  accepted = 0;
  constructor(readonly host: string) {}

  async open(port = 0): Promise<void> {
    this.accepted = 0;
    const server = net.createServer((s) => {
      this.accepted++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      s.end();
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, this.host, () => ok());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s === null) return;
    for (const k of this.sockets) k.destroy();
    await new Promise<void>((ok) => s.close(() => ok()));
  }
}

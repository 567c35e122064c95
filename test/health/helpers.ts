// Shared fixtures for the health integration tests: check specs, loopback
// servers that close cleanly, and a throw-away CA made with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckSpec, ProbeSpec } from '../../src/config/index.js';

export function spec(probe: ProbeSpec, over: Partial<CheckSpec> = {}): CheckSpec {
  return {
    name: 'test',
    remote: false,
    type: probe.kind,
    destination: '127.0.0.1',
    rise: 2,
    fall: 2,
    every: 1,
    timeout: 1,
    hookTimeout: 5,
    probe,
    ...over,
  };
}

export const never = new AbortController().signal;

export interface Closable {
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (random port) and tracks its sockets so close() really closes. */
export async function listen(server: net.Server, host = '127.0.0.1', port = 0): Promise<{ port: number } & Closable> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // TLS servers report accepted sockets through 'secureConnection' as well; the raw ones suffice.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return {
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  const l = await listen(s);
  await l.close();
  return l.port;
}

export interface TestPki {
  readonly dir: string;
  readonly caPem: string;
  readonly caPath: string;
  readonly otherCaPem: string;
  /** Server certificate for DNS:health.test and IP:127.0.0.1, signed by the CA. */
  readonly cert: string;
  readonly key: string;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate it signed, and an unrelated second CA. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'awsn-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other']) {
    openssl(['req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=awsnycast test ${ca}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  }
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=health.test'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:health.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'], dir);
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caPem: read('ca.pem'),
    caPath: join(dir, 'ca.pem'),
    otherCaPem: read('other.pem'),
    cert: read('server.pem'),
    key: read('server.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

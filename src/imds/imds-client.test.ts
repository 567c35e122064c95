// The lifecycle poll's IMDSv2 client against a real HTTP server on loopback:
// one token for many reads, a fresh one after a 401, a token that cannot be
// had never reads as "absent", and no connection outlives its request.
// AWS (How Instance Metadata Service Version 2 works,
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html):
// a PUT to /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1 s
// to 6 h) creates a session token; "During the specified duration, you can
// use the same session token for subsequent requests", sent as
// X-aws-ec2-metadata-token; after it expires a new one is needed. The fresh
// token after a 401 is our own defence against a token the service stopped
// accepting (the simulator answers expired tokens with 401, imds-server.ts).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ImdsClient, ImdsHttpError } from './imds-client.js';

interface Seen {
  method: string;
  url: string;
  token?: string;
  connection?: string;
}

describe('the IMDSv2 client of the lifecycle poll', () => {
  let server: Server;
  const seen: Seen[] = [];
  let answer: (req: IncomingMessage) => [number, string] = () => [200, 'ok'];
  let open = 0;
  let saved: string | undefined;

  before(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', ...(req.headers['x-aws-ec2-metadata-token'] !== undefined ? { token: String(req.headers['x-aws-ec2-metadata-token']) } : {}), ...(req.headers.connection !== undefined ? { connection: req.headers.connection } : {}) });
      const [status, body] = req.method === 'PUT' ? [200, `token-${seen.filter((s) => s.method === 'PUT').length}`] : answer(req);
      res.writeHead(status).end(body);
    });
    server.on('connection', (s) => {
      open++;
      s.on('close', () => open--);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    saved = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    // The SDK's standard setting names the endpoint (resolved by the SDK's own resolver).
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    if (saved === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = saved;
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it('fetches one session token for many reads and sends it with each; every connection is closed after its answer', async () => {
    seen.length = 0;
    answer = () => [200, 'InService'];
    const c = new ImdsClient();
    for (let i = 0; i < 3; i++) assert.equal(await c.request('/latest/meta-data/autoscaling/target-lifecycle-state', {}), 'InService');
    assert.deepEqual(seen.map((s) => s.method), ['PUT', 'GET', 'GET', 'GET']);
    assert.ok(seen.slice(1).every((s) => s.token === 'token-1'));
    assert.ok(seen.every((s) => s.connection === 'close'), JSON.stringify(seen));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(open, 0, 'no connection left open');
  });

  it('a 404 carries its status (absent); a token the service refuses (401) is replaced once', async () => {
    seen.length = 0;
    answer = () => [404, 'Not Found'];
    const c = new ImdsClient();
    await assert.rejects(c.request('/latest/meta-data/spot/instance-action', {}), (e: unknown) => e instanceof ImdsHttpError && e.$metadata.httpStatusCode === 404);
    let first = true;
    answer = () => {
      const r: [number, string] = first ? [401, ''] : [200, 'x'];
      first = false;
      return r;
    };
    assert.equal(await c.request('/latest/meta-data/spot/instance-action', {}), 'x');
    assert.equal(seen.filter((s) => s.method === 'PUT').length, 2, 'a new token after the 401');
  });

  it('a token request that fails never reads as a 404 of the path asked for', async () => {
    const refusing = createServer((req, res) => res.writeHead(req.method === 'PUT' ? 404 : 200).end('nope'));
    await new Promise<void>((ok) => refusing.listen(0, '127.0.0.1', ok));
    const was = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${(refusing.address() as { port: number }).port}`;
    try {
      await assert.rejects(new ImdsClient().request('/latest/meta-data/spot/instance-action', {}), (e: unknown) => e instanceof ImdsHttpError && e.$metadata.httpStatusCode === undefined && /session token/.test(e.message));
    } finally {
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = was;
      await new Promise<void>((ok) => refusing.close(() => ok()));
    }
  });
});

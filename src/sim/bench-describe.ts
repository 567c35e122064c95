// DescribeRouteTables throughput on the 200 tables x 50 routes world.
//   node dist/src/sim/bench-describe.js [--seconds N] [--concurrency N]
// Starts `awsnycast sim` as its own process (so client and server do not
// share an event loop), then drives it with keep-alive HTTP requests for a
// few scenarios and prints requests per second for each. Not a test: the
// figures go into docs/simulator.md by hand.
import { DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? undefined : process.argv[i + 1];
  return v === undefined ? dflt : Number(v);
}

interface Scenario {
  readonly name: string;
  readonly body: string;
}

const q = (params: Record<string, string>): string =>
  new URLSearchParams({ Action: 'DescribeRouteTables', Version: '2016-11-15', ...params }).toString();

const SCENARIOS: readonly Scenario[] = [
  { name: 'one table by tag (tag:Name=load-17)', body: q({ 'Filter.1.Name': 'tag:Name', 'Filter.1.Value.1': 'load-17' }) },
  { name: 'one table by id', body: q({ 'RouteTableId.1': 'rtb-load0000000000017' }) },
  {
    name: 'tables routing one /32 (route.destination-cidr-block)',
    body: q({ 'Filter.1.Name': 'route.destination-cidr-block', 'Filter.1.Value.1': '100.64.1.200/32' }),
  },
  {
    name: 'first page of the VPC, MaxResults=100 (5,000 routes)',
    body: q({ 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': 'vpc-0d000000000000001', MaxResults: '100' }),
  },
  { name: 'everything, unfiltered (201 tables, 10,201 routes)', body: q({}) },
];

async function drive(endpoint: URL, body: string, seconds: number, concurrency: number): Promise<{ rps: number; bytes: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': Buffer.byteLength(body),
    authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
  };
  const one = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: endpoint.hostname, port: endpoint.port, path: '/', method: 'POST', agent, headers },
        (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode ?? 0}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      bytes = await one();
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { rps: done / elapsed, bytes };
}

/** The same call through the real SDK client (signing, XML parsing): what one daemon process can pull. */
async function driveSdk(endpoint: string, seconds: number, concurrency: number): Promise<number> {
  const client = new EC2Client({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDBENCHSDK', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  const cmd = (): DescribeRouteTablesCommand =>
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: ['load-17'] }] });
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      await client.send(cmd());
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rps = done / ((performance.now() - t0) / 1000);
  client.destroy();
  return rps;
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 3);
  const concurrency = arg('concurrency', 16);
  const child = spawn(process.execPath, [`${root}bin/awsnycast`, 'sim', '--world', `${root}examples/worlds/load-200x50.yaml`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout });
  const [line] = (await once(rl, 'line')) as [string];
  const { ec2Endpoint } = JSON.parse(line) as { ec2Endpoint: string };
  const endpoint = new URL(ec2Endpoint);
  process.stdout.write(`DescribeRouteTables on the 200 x 50 world, ${concurrency} concurrent keep-alive clients, ${seconds} s each\n`);
  try {
    for (const s of SCENARIOS) {
      await drive(endpoint, s.body, 0.5, concurrency);
      const r = await drive(endpoint, s.body, seconds, concurrency);
      process.stdout.write(`${Math.round(r.rps).toString().padStart(7)} req/s  ${(r.bytes / 1024).toFixed(1).padStart(8)} KiB/response  ${s.name}\n`);
    }
    const sdk = await driveSdk(ec2Endpoint, seconds, concurrency);
    process.stdout.write(`${Math.round(sdk).toString().padStart(7)} req/s  (one SDK client in one process) one table by tag\n`);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-describe: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

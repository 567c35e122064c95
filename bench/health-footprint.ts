// Footprint of the health-check layer: N tcp checks (send + expect) every S
// seconds against a local TCP server that runs in a child process, so only
// the checking side is measured. Reports CPU share of one core and RSS.
//
//   node dist/bench/health-footprint.js [--seconds 60] [--checks 100] [--every 0.5]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CheckSpec } from '../src/config/index.js';
import { HealthCheck } from '../src/health/index.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : dflt;
}

function serve(): void {
  const server = net.createServer((s) => {
    s.on('data', () => s.end('PONG\n'));
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.stdout.write(`${typeof a === 'object' && a !== null ? a.port : 0}\n`);
  });
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 60);
  const count = arg('checks', 100);
  const every = arg('every', 0.5);
  const plain = process.argv.includes('--connect-only');
  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => server.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));

  const ac = new AbortController();
  let results = 0;
  let failures = 0;
  const failureCodes = new Map<string, number>();
  const checks = Array.from({ length: count }, (_, i) => {
    const spec: CheckSpec = {
      name: `bench-${i}`,
      remote: false,
      type: 'tcp',
      destination: '127.0.0.1',
      rise: 2,
      fall: 3,
      every,
      timeout: Math.min(every, 5),
      hookTimeout: 30,
      probe: plain ? { kind: 'tcp', port } : { kind: 'tcp', port, send: 'PING\n', expect: 'PONG' },
    };
    const c = new HealthCheck(spec, { maxJitterMs: every * 1000, hooks: false });
    c.on('result', (e) => {
      results++;
      if (!e.result.ok) {
        failures++;
        failureCodes.set(e.result.code, (failureCodes.get(e.result.code) ?? 0) + 1);
      }
    });
    return c;
  });
  for (const c of checks) c.start(ac.signal);

  // Let every check start and the JIT settle before measuring.
  const warmup = Math.min(2, seconds / 4);
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const resultsAtStart = results;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let maxRss = 0;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
  }, 1000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const rss = process.memoryUsage.rss();
  maxRss = Math.max(maxRss, rss);
  ac.abort();
  await Promise.all(checks.map((c) => c.settled()));
  server.stdin.end();

  const cpuShare = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const measured = results - resultsAtStart;
  const summary = {
    checks: count,
    probe: plain ? 'tcp connect' : 'tcp send+expect',
    every,
    seconds: Math.round(wallMs / 100) / 10,
    probesPerSecond: Math.round((measured / wallMs) * 1000 * 10) / 10,
    expectedPerSecond: count / every,
    failures,
    failureCodes: Object.fromEntries(failureCodes),
    cpuPercentOfOneCore: Math.round(cpuShare * 100) / 100,
    cpuUserMs: Math.round(cpu.user / 1000),
    cpuSystemMs: Math.round(cpu.system / 1000),
    rssMiB: Math.round((rss / 1048576) * 10) / 10,
    maxRssMiB: Math.round((maxRss / 1048576) * 10) / 10,
    node: process.version,
  };
  console.log(
    `${count} tcp checks (${plain ? 'connect only' : 'send + expect'}) every ${every} s for ${summary.seconds} s: ${summary.probesPerSecond} probes/s ` +
      `(expected ${summary.expectedPerSecond}), ${failures} failures; CPU ${summary.cpuPercentOfOneCore} % of one core; ` +
      `RSS ${summary.rssMiB} MiB (max ${summary.maxRssMiB} MiB)`,
  );
  console.log(JSON.stringify(summary));
}

if (process.argv.includes('--serve')) serve();
else
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });

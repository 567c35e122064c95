// The one-command demo (npm run demo / ./scripts/demo): the simulator, one
// daemon per NAT instance, a failover and a reclaim, then a planned drain
// (a make-before-break hand-off, no gap) and an undrain, shown live. Everything
// listens on 127.0.0.1 / the instances' 127.x addresses. Exits by itself and
// leaves no process behind; Ctrl-C cleans up too.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SimClient, readStartLine } from '../dist/src/sim/client.js';

const BIN = new URL('../bin/awsnycast', import.meta.url).pathname;
const WORLD = new URL('../examples/worlds/handoff.yaml', import.meta.url).pathname;
const TTY = process.stdout.isTTY === true;
const HOLD_DOWN = 5;
const dir = mkdtempSync(join(tmpdir(), 'awsnycast-demo-'));
const children = [];
const servers = new Map();
const events = [];
const views = new Map(); // instanceId -> Map(routeTable -> {reason, detail})
let sim; // the simulator's start line (endpoints and instances)
let api; // its admin API
let tables = [];
let closing = false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stamp = () => new Date().toISOString().slice(11, 23);

function event(text) {
  events.push(`${stamp()}  ${text}`);
  if (!TTY) process.stdout.write(`${stamp()}  ${text}\n`);
}

const nameOf = (eni) => sim.instances.find((i) => i.networkInterfaces.some((n) => n.networkInterfaceId === eni))?.instanceId ?? eni;
const label = (id) => (id === sim.instances[0].instanceId ? 'NAT A' : id === sim.instances[1].instanceId ? 'NAT B' : id);

async function refresh() {
  const vpc = sim.instances[0].vpcId;
  tables = (await api.tables(vpc)).filter((t) => t.tags?.type === 'private');
}

function owner(rtb) {
  const r = tables.find((t) => t.routeTableId === rtb)?.routes.find((x) => x.cidr === '0.0.0.0/0');
  return r?.networkInterfaceId;
}

function draw() {
  if (!TTY) return;
  const lines = ['awsnycast demo — two NAT instances on the local simulator (Ctrl-C to stop)', ''];
  lines.push('Route tables (0.0.0.0/0):');
  for (const t of tables) {
    const r = t.routes.find((x) => x.cidr === '0.0.0.0/0');
    const who = r?.networkInterfaceId ? `${label(nameOf(r.networkInterfaceId))} (${r.networkInterfaceId})` : (r?.gatewayId ?? 'missing');
    lines.push(`  ${t.routeTableId}  az ${t.tags.az}  ->  ${who}  [${r?.state ?? '-'}]`);
  }
  lines.push('', 'What each daemon decided last:');
  for (const i of sim.instances) {
    const svc = servers.has(i.instanceId) ? 'service up' : 'service DOWN';
    lines.push(`  ${label(i.instanceId)} ${i.instanceId} (${i.privateIp}, ${svc})`);
    for (const [rtb, v] of views.get(i.instanceId) ?? []) lines.push(`    ${rtb}: ${v.reason.padEnd(22)} ${v.detail}`);
  }
  lines.push('', 'Events:', ...events.slice(-12).map((e) => `  ${e}`));
  process.stdout.write(`\x1b[H\x1b[2J${lines.join('\n')}\n`);
}

async function startService(inst) {
  const server = createServer((s) => s.on('error', () => {}).end('ok\n'));
  await new Promise((ok, fail) => server.once('error', fail).listen(inst.port, inst.privateIp, ok));
  servers.set(inst.instanceId, server);
}

function stopService(inst) {
  const server = servers.get(inst.instanceId);
  servers.delete(inst.instanceId);
  return new Promise((ok) => server.close(() => ok()));
}

function configFor(inst, port) {
  return `# ${label(inst.instanceId)}: primary for its own AZ's private table, backup for the other one.
poll_time: 10
status: {socket: ${join(dir, `${inst.instanceId}.sock`)}}
drain: {state_file: ${join(dir, `${inst.instanceId}.drained`)}, maintenance_file: ${join(dir, `${inst.instanceId}.maintenance`)}}
healthchecks:
  nat_service: {type: tcp, destination: ${inst.privateIp}, every: 0.5, rise: 2, fall: 3, timeout: 0.4, config: {port: ${port}}}
remote_healthchecks:
  peer_service: {type: tcp, every: 0.5, rise: 2, fall: 3, timeout: 0.4, config: {port: ${port}}}
routetables:
  mine:
    find: {type: and, config: {filters: [{type: by_tag, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    # peers: who gets the route when this NAT is drained (judged by peer_service first)
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: nat_service, never_delete: true, hold_down: ${HOLD_DOWN}, remote_healthcheck: peer_service, peers: {tag: role, value: nat}}]
  theirs:
    find: {type: and, no_results_ok: true, config: {filters: [{type: by_tag, not: true, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: nat_service, if_unhealthy: true, remote_healthcheck: peer_service, peers: {tag: role, value: nat}}]
`;
}

/** `awsnycast drain` / `undrain` against a daemon's status socket. */
function cli(inst, command) {
  return new Promise((ok, fail) => {
    const c = spawn(BIN, [command, '--socket', join(dir, `${inst.instanceId}.sock`)], { stdio: 'ignore' });
    c.on('error', fail);
    c.on('close', (code) => (code === 0 ? ok() : fail(new Error(`awsnycast ${command} exited ${code}`))));
  });
}

function startDaemon(inst) {
  const file = join(dir, `${inst.instanceId}.yaml`);
  writeFileSync(file, configFor(inst, inst.port));
  chmodSync(file, 0o600);
  const d = spawn(BIN, ['run', '-f', file, '-debug', '-log-format=json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_EC2: sim.ec2Endpoint,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: inst.imdsEndpoint,
      AWS_ACCESS_KEY_ID: `AKID${inst.instanceId.slice(-3).toUpperCase()}`,
      AWS_SECRET_ACCESS_KEY: 'demo',
    },
  });
  children.push(d);
  const view = new Map();
  views.set(inst.instanceId, view);
  createInterface({ input: d.stdout }).on('line', () => {});
  createInterface({ input: d.stderr }).on('line', (line) => {
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      return;
    }
    if (rec.routeTable && rec.reason) view.set(rec.routeTable, { reason: rec.reason, detail: String(rec.msg ?? '').replace(/^(no change|would \w+ route|will \w+ route|(created|replaced|deleted) route): /, '') });
    if (rec.level >= 30 && /route:|flapping|failed/.test(rec.msg ?? '')) event(`${label(inst.instanceId)}: ${rec.msg}`);
  });
  return d;
}

async function waitOwner(rtb, eni, what, timeoutMs = 30_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    await refresh();
    draw();
    if (owner(rtb) === eni) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main() {
  event(`starting the simulator: awsnycast sim --world ${WORLD}`);
  const child = spawn(BIN, ['sim', '--world', WORLD], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  sim = await readStartLine(child);
  api = new SimClient(sim);
  event(`simulator up: EC2 endpoint ${sim.ec2Endpoint}, admin ${sim.adminEndpoint}`);
  const [a, b] = sim.instances;
  await refresh();
  const rtbA = tables.find((t) => t.tags.az === a.availabilityZone).routeTableId;
  const eniA = a.networkInterfaces[0].networkInterfaceId;
  const eniB = b.networkInterfaces[0].networkInterfaceId;
  // One service port for both NATs (the remote check template names one port), each on its own address.
  a.port = 0;
  for (const inst of [a, b]) {
    await startService(inst);
    b.port = servers.get(a.instanceId).address().port;
    a.port = b.port;
    event(`${label(inst.instanceId)}: its NAT service listens on ${inst.privateIp}:${inst.port}; starting awsnycast run on it`);
    startDaemon(inst);
  }
  const ticker = setInterval(() => {
    refresh().then(draw, () => {});
  }, 300);
  try {
    // Ready: each daemon's remote check of the other's service has passed.
    for (let i = 0; i < 150 && [...views.values()].some((v) => ![...v.values()].some((x) => x.reason === 'OWNER_ALIVE')); i++) await sleep(200);
    event('both daemons are up; each AZ table points at its own NAT, each NAT watches the other');
    await sleep(2000);

    event(`stopping NAT A's service (the instance keeps running)`);
    const seq = await api.lastSeq();
    const fault = Date.now();
    await stopService(a);
    await waitOwner(rtbA, eniB, 'NAT B to take over');
    const m = (await api.mutations('route', seq)).entries.find((x) => x.routeTableId === rtbA);
    event(`NAT B took over ${rtbA} ${((m.wallMs - fault) / 1000).toFixed(2)} s after NAT A's service stopped (simulator's mutation log)`);
    await sleep(2000);

    event(`restoring NAT A's service; NAT A takes its table back after its hold_down of ${HOLD_DOWN} s`);
    const back = Date.now();
    await startService(a);
    await waitOwner(rtbA, eniA, 'NAT A to reclaim its table');
    event(`NAT A reclaimed ${rtbA} ${((Date.now() - back) / 1000).toFixed(1)} s after its service came back`);
    await sleep(1500);

    // Planned maintenance: the drained owner points its route straight at the healthy peer.
    event('planned maintenance: awsnycast drain on NAT A (it hands its route to a healthy peer, make-before-break)');
    const seq2 = await api.lastSeq();
    const drained = Date.now();
    await cli(a, 'drain');
    await waitOwner(rtbA, eniB, 'the hand-off to NAT B');
    const writes = (await api.mutations('route', seq2)).entries.filter((x) => x.routeTableId === rtbA);
    const last = Math.max(...writes.map((x) => x.wallMs));
    const clean = writes.every((x) => x.action === 'ReplaceRoute');
    event(
      `NAT A handed ${rtbA} to NAT B ${((last - drained) / 1000).toFixed(2)} s after the drain with ${writes.map((x) => x.action).join(', ')}: ${clean ? 'the route was never missing (gap 0 ms)' : 'NOT gapless'}`,
    );
    await sleep(1500);
    event(`awsnycast undrain on NAT A: it takes its table back after its hold_down of ${HOLD_DOWN} s`);
    await cli(a, 'undrain');
    await waitOwner(rtbA, eniA, 'NAT A to take its table back after the undrain');
    event(`NAT A is back in service and owns ${rtbA} again`);
    await sleep(1000);
  } finally {
    clearInterval(ticker);
  }
  await refresh();
  draw();
  process.stdout.write('\nEvery route change the simulator saw:\n');
  for (const x of (await api.mutations('route')).entries)
    process.stdout.write(`  ${x.time}  ${label(nameOf(x.after?.networkInterfaceId ?? ''))} ${x.action} ${x.routeTableId} ${x.cidr}: ${x.before?.networkInterfaceId ?? '-'} -> ${x.after?.networkInterfaceId ?? '-'}\n`);
}

async function cleanup() {
  if (closing) return;
  closing = true;
  for (const s of servers.values()) s.close();
  const exits = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((ok) => c.once('exit', ok)));
  for (const c of children.slice().reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 8000);
  await Promise.all(exits);
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
}

process.on('SIGINT', () => {
  cleanup().then(() => process.exit(130));
});

main().then(
  async () => {
    await cleanup();
    process.stdout.write('\ndemo finished; every process it started has exited.\n');
  },
  async (e) => {
    process.stderr.write(`demo failed: ${e.stack ?? e}\n`);
    await cleanup();
    process.exitCode = 1;
  },
);

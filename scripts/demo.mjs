// The one-command demo (./scripts/demo): simulator + two daemons + a failover.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = new URL('../bin/awsnycast', import.meta.url).pathname;
const WORLD = new URL('../examples/worlds/nat-pair.yaml', import.meta.url).pathname;
const A = 'i-0a0000000000000a1';
const TABLES = ['rtb-0a0000000000000a1', 'rtb-0a0000000000000b1'];
const dir = mkdtempSync(join(tmpdir(), 'awsnycast-demo-'));
const children = [];
const say = (s) => process.stdout.write(`\n== ${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const config = join(dir, 'awsnycast.yaml');
  writeFileSync(config, `# The same file on both NAT instances: own AZ as primary, the other AZ as backup.
poll_time: 2
healthchecks:
  internet: {type: ping, destination: 127.0.0.1, every: 0.5, rise: 2, fall: 2}
routetables:
  mine:
    find: {type: and, config: {filters: [{type: by_tag, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, never_delete: true, hold_down: 0}]
  theirs:
    find: {type: and, no_results_ok: true, config: {filters: [{type: by_tag, not: true, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, if_unhealthy: true}]
`);
  chmodSync(config, 0o600);

  say(`starting the simulator: ${BIN} sim --world ${WORLD}`);
  const sim = spawn(BIN, ['sim', '--world', WORLD], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(sim);
  const info = JSON.parse(await new Promise((ok) => createInterface({ input: sim.stdout }).once('line', ok)));
  const admin = async (method, path) => (await fetch(`${info.adminEndpoint}/_sim/${path}`, { method })).json();
  const show = async () => {
    const { routeTables } = await admin('GET', 'route-tables');
    for (const t of routeTables.filter((x) => TABLES.includes(x.routeTableId))) {
      const r = t.routes.find((x) => x.cidr === '0.0.0.0/0');
      process.stdout.write(`   ${t.routeTableId} (${t.tags.az})  0.0.0.0/0 -> ${r ? `${r.networkInterfaceId ?? r.gatewayId} [${r.state}]` : 'missing'}\n`);
    }
  };
  console.log(`EC2 endpoint ${info.ec2Endpoint}; instances ${info.instances.map((i) => `${i.instanceId} (${i.availabilityZone}, ${i.privateIp})`).join(', ')}`);
  await show();

  const daemons = new Map();
  for (const i of info.instances) {
    say(`starting awsnycast run -f ${config} on ${i.instanceId} (AWS_EC2_METADATA_SERVICE_ENDPOINT=${i.imdsEndpoint})`);
    const d = spawn(BIN, ['run', '-f', config, '-log-format=text'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, AWS_ENDPOINT_URL_EC2: info.ec2Endpoint, AWS_EC2_METADATA_SERVICE_ENDPOINT: i.imdsEndpoint, AWS_ACCESS_KEY_ID: `AKID${i.instanceId.slice(-3)}`, AWS_SECRET_ACCESS_KEY: 'demo' },
    });
    children.push(d);
    daemons.set(i.instanceId, d);
  }
  // Ready when each daemon has read the route tables at least twice (its checks have decided by then).
  for (let i = 0; i < 300; i++) {
    const { byCaller } = await admin('GET', 'counters');
    const passes = info.instances.map((x) => byCaller?.[`AKID${x.instanceId.slice(-3)}`]?.byAction?.DescribeRouteTables ?? 0);
    if (passes.every((n) => n >= 2)) break;
    await sleep(100);
  }
  say('both daemons are up; each AZ table points at its own NAT:');
  await show();

  say(`stopping NAT A (${A}): its daemon goes away and the instance stops`);
  daemons.get(A).kill('SIGTERM');
  const t0 = Date.now();
  await admin('POST', `instances/${A}/stop`);
  for (let i = 0; i < 100; i++) {
    const { routeTables } = await admin('GET', 'route-tables');
    const r = routeTables.find((x) => x.routeTableId === TABLES[0]).routes.find((x) => x.cidr === '0.0.0.0/0');
    if (r?.networkInterfaceId === 'eni-0a0000000000000b1') break;
    await sleep(100);
  }
  say(`NAT B took over AZ a's table ${((Date.now() - t0) / 1000).toFixed(1)} s after NAT A stopped:`);
  await show();
  const { entries } = await admin('GET', 'mutations?kind=route');
  say('every route change the simulator saw:');
  for (const m of entries) console.log(`   ${m.time} ${m.caller} ${m.action} ${m.routeTableId} ${m.cidr}: ${m.before?.networkInterfaceId ?? '-'} -> ${m.after?.networkInterfaceId ?? '-'}`);
}

function cleanup() {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  async () => {
    cleanup();
    await sleep(500);
    say('demo finished');
  },
  (e) => {
    console.error(`demo failed: ${e.stack ?? e}`);
    cleanup();
    process.exitCode = 1;
  },
);

// `awsnycast sim`: run the simulator until SIGTERM or SIGINT. Prints one
// JSON line (endpoints and instances) on stdout once everything listens.
import type { Command } from '../cli/command.js';
import { EXIT } from '../cli/command.js';
import { UsageError } from '../cli/flags.js';

export const simCommand: Command = {
  name: 'sim',
  summary: 'run the local EC2 + instance-metadata simulator (for demos, tests and rehearsals)',
  usage: '--world FILE [--listen 127.0.0.1:PORT] [--admin-listen 127.0.0.1:PORT]',
  details: [
    'Prints one JSON line: {"ec2Endpoint", "adminEndpoint", "region", "accountId", "instances": [{"instanceId", "privateIp", "imdsEndpoint", ...}]}.',
    'Point a daemon at it with AWS_ENDPOINT_URL_EC2=<ec2Endpoint>, AWS_EC2_METADATA_SERVICE_ENDPOINT=<imdsEndpoint>',
    'and any AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Port 0 picks a free port. Stops on SIGTERM or SIGINT.',
    'World file format, admin API and fault switches: docs/simulator.md.',
  ].join('\n'),
  flags: [
    { names: ['world', 'w'], kind: 'string', metavar: 'FILE', help: 'world file (YAML)' },
    { names: ['listen'], kind: 'string', metavar: 'HOST:PORT', default: '127.0.0.1:0', help: 'EC2 endpoint address (loopback only)' },
    {
      names: ['admin-listen'],
      kind: 'string',
      metavar: 'HOST:PORT',
      help: 'separate admin endpoint, up even during a refuse outage (default: same host, free port)',
    },
  ],
  async run(parsed) {
    const world = parsed.flags.world;
    if (typeof world !== 'string' || world === '') throw new UsageError('--world FILE is required');
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
    const listen = typeof parsed.flags.listen === 'string' ? parsed.flags.listen : '127.0.0.1:0';
    const adminListen = typeof parsed.flags['admin-listen'] === 'string' ? parsed.flags['admin-listen'] : undefined;
    // Loaded here, not at the top: `awsnycast run` shares this file's command table and must not carry the simulator.
    const { startSimulator } = await import('./simulator.js');
    const { WorldError } = await import('./world.js');
    let sim;
    try {
      sim = await startSimulator({
        world,
        listen,
        ...(adminListen !== undefined ? { adminListen } : {}),
        onInternalError: (e) => process.stderr.write(`awsnycast sim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
      });
    } catch (e) {
      if (e instanceof WorldError) {
        process.stderr.write(e.message + '\n');
        return EXIT.error;
      }
      process.stderr.write(`awsnycast sim: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT.error;
    }
    const instances = await sim.instances();
    process.stdout.write(
      JSON.stringify({
        ec2Endpoint: sim.ec2Endpoint,
        adminEndpoint: sim.adminEndpoint,
        region: sim.region,
        accountId: sim.accountId,
        instances,
      }) + '\n',
    );
    const running = sim;
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    await running.close();
    return EXIT.ok;
  },
};

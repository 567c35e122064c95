// `awsnycast plan`: one read-only pass; prints, for every managed (route
// table, CIDR), the current target and state, the decision and its reason.
import { StartupError } from '../../daemon/startup.js';
import type { PlannedAction } from '../../core/plan.js';
import { createLogger } from '../../log/logger.js';
import type { Command } from '../command.js';
import { EXIT, configFlag, configPath } from '../command.js';
import { loadForRun, logFlags, logFormat, startupTimeoutMs } from './run.js';
import { table } from '../table.js';


export function planRows(actions: readonly PlannedAction[]): string[][] {
  return [
    ['ROUTE TABLE', 'NAME', 'CIDR', 'CURRENT', 'STATE', 'ACTION', 'REASON', 'DETAIL'],
    ...actions.map((a) => [a.routeTableId, a.tableName, a.cidr, a.current?.target ?? '-', a.current?.state ?? 'missing', a.action, a.reason, a.detail]),
  ];
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'show what the daemon would do now, with reasons; changes nothing',
  usage: '[-f FILE] [--json]',
  details: 'Waits for the local checks to decide (bounded), reads the route tables once, and prints the plan. Exit 0 when the plan could be made, 1 otherwise.',
  flags: [configFlag, { names: ['json'], kind: 'bool', help: 'print the plan as JSON' }, ...logFlags],
  async run(parsed) {
    const config = loadForRun(configPath(parsed));
    if (config === undefined) return EXIT.error;
    const logging = createLogger({ format: logFormat(parsed), debug: parsed.flags.debug === true, syslog: parsed.flags.syslog === true });
    const stop = new AbortController();
    let booted;
    try {
      // Loaded on use: the AWS SDK takes a while to import, and other commands do not need it.
      const { boot } = await import('../../daemon/boot.js');
      booted = await boot({ config, log: logging.log, noop: true, startupTimeoutMs: startupTimeoutMs(parsed), signal: stop.signal });
    } catch (e) {
      logging.close();
      if (e instanceof StartupError) {
        process.stderr.write(`awsnycast: ${e.message}\n`);
        return EXIT.error;
      }
      throw e;
    }
    const { daemon, ec2 } = booted;
    try {
      daemon.startChecks(stop.signal);
      await daemon.waitForChecks(daemon.decideBoundMs());
      const r = await daemon.pass(false);
      if (r.plan === undefined) {
        process.stderr.write(`awsnycast: ${r.error ?? 'the plan could not be made'}\n`);
        return EXIT.error;
      }
      if (parsed.flags.json === true) {
        const actions = r.plan.actions.map(({ route: _route, ...a }) => a);
        process.stdout.write(JSON.stringify({ actions, problems: r.plan.problems, remoteTargets: r.plan.remoteTargets }, null, 2) + '\n');
      } else {
        process.stdout.write(table(planRows(r.plan.actions)));
        for (const p of r.plan.problems) process.stdout.write(`problem: ${p.code}: ${p.message}\n`);
      }
      return EXIT.ok;
    } finally {
      stop.abort();
      await daemon.stop();
      ec2.destroy();
      logging.close();
    }
  },
};

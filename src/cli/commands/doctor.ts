// `awsnycast doctor`: a preflight on the instance, one line per check (ok,
// warn, FAIL with its fix), exit 1 when any check fails. The checks live in
// src/doctor/; they are loaded on use (they bring the AWS SDK).
import type { Command } from '../command.js';
import { EXIT, configFlag, configPath } from '../command.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check this instance before the daemon runs: metadata, credentials, IAM (DryRun), source/dest check, forwarding, finders',
  usage: '[-f FILE] [--json]',
  details: [
    'Runs on the instance, as the daemon would run: instance metadata (IMDSv2) and identity, credentials and',
    'region, every EC2 action the config needs tried with DryRun (nothing is changed), source/destination',
    'check on the interface the routes will use, IP forwarding for routes that make this instance a router,',
    'what each finder matches, CIDRs claimed twice, ping, the status socket path and the config trust rule.',
    'Exit status: 0 when no check failed (warnings allowed), 1 when one did.',
  ].join('\n'),
  flags: [configFlag, { names: ['json'], kind: 'bool', help: 'print {checks: [{id, status, message, fix?}], ok} as JSON' }],
  async run(parsed) {
    const file = configPath(parsed);
    const { runDoctor } = await import('../../doctor/run.js');
    const { passed, renderJson, renderText } = await import('../../doctor/report.js');
    const checks = await runDoctor(file);
    process.stdout.write(parsed.flags.json === true ? renderJson(checks) : renderText(checks));
    return passed(checks) ? EXIT.ok : EXIT.error;
  },
};

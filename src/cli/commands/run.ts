// `awsnycast run` (the default command): the daemon.
import { DEFAULTS, formatProblems, loadConfigFile } from '../../config/index.js';
import type { Config } from '../../config/index.js';
import { StartupError } from '../../daemon/startup.js';
import { StartupAborted } from '../../imds/abort.js';
import { createLogger } from '../../log/logger.js';
import type { LogFormat, Logger } from '../../log/logger.js';
import { Notifier, passStatus } from '../../systemd/notifier.js';
import { SystemdNotify, findSystemdNotify, takeNotifyEnv } from '../../systemd/sd-notify.js';
import type { NotifyEnv } from '../../systemd/sd-notify.js';
import type { Daemon } from '../../daemon/daemon.js';
import type { FlagSpec, Parsed } from '../flags.js';
import { UsageError } from '../flags.js';
import type { Command } from '../command.js';
import { EXIT, configFlag, configPath } from '../command.js';
import { versionLine } from '../version.js';

export const logFlags: readonly FlagSpec[] = [
  { names: ['debug'], kind: 'bool', help: 'verbose logs' },
  { names: ['syslog'], kind: 'bool', help: 'also send logs to the local syslog (through `logger`)' },
  { names: ['log-format'], kind: 'string', metavar: 'auto|text|json', default: 'auto', help: 'log lines as text (default on a terminal) or JSON' },
  { names: ['startup-timeout'], kind: 'string', metavar: 'SECONDS', default: '60', help: 'how long metadata and EC2 may be unreachable at start-up' },
];

export const runFlags: readonly FlagSpec[] = [
  configFlag,
  { names: ['noop'], kind: 'bool', help: 'plan and log what would change; change nothing' },
  { names: ['oneshot'], kind: 'bool', help: 'wait for the checks to decide, run one pass, exit (0 if every action succeeded)' },
  ...logFlags,
  { names: ['version'], kind: 'bool', help: 'print the version and exit' },
];

export function logFormat(parsed: Parsed): LogFormat {
  const f = parsed.flags['log-format'];
  if (f === 'auto' || f === 'text' || f === 'json') return f;
  throw new UsageError(`invalid value "${String(f)}" for -log-format (auto, text or json)`);
}

export function startupTimeoutMs(parsed: Parsed): number {
  const v = Number(parsed.flags['startup-timeout']);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`invalid value "${String(parsed.flags['startup-timeout'])}" for -startup-timeout (seconds)`);
  return v * 1000;
}

/** Loads the config for `run`/`plan`: errors printed, unsafe permissions refused. */
export function loadForRun(file: string): Config | undefined {
  // Trusted: the file and the directories above it must be safe from other users (hooks run commands).
  const result = loadConfigFile(file, { trusted: true });
  if (!result.ok) {
    for (const line of formatProblems(result.problems)) process.stderr.write(line + '\n');
    return undefined;
  }
  return result.config;
}

/** How long the last notifications (STOPPING=1) may take at exit; TimeoutStopSec leaves room for it. */
const NOTIFY_CLOSE_MS = 3000;

/**
 * The systemd notifier (Type=notify), when systemd asked for notifications
 * (NOTIFY_SOCKET) and systemd-notify is there to send them; `daemon()` gives
 * the daemon once it is built (for the routes in STATUS=).
 */
function systemdNotifier(env: NotifyEnv | undefined, log: Logger, daemon: () => Daemon | undefined): Notifier | undefined {
  if (env === undefined) return undefined;
  const found = findSystemdNotify();
  if ('problem' in found) {
    log.warn({ code: 'NOTIFY_UNAVAILABLE', notifySocket: env.socket }, `NOTIFY_SOCKET is set but ${found.problem}: no readiness or watchdog notifications`);
    return undefined;
  }
  if (env.watchdogIgnored !== undefined) log.warn({ notifySocket: env.socket }, `systemd watchdog off: ${env.watchdogIgnored}`);
  log.info(
    { notifySocket: env.socket, watchdogSeconds: env.watchdogMs !== undefined ? env.watchdogMs / 1000 : null },
    `systemd notifications on${env.watchdogMs !== undefined ? `, watchdog every ${env.watchdogMs / 1000} s` : ''}`,
  );
  return new Notifier({
    sink: new SystemdNotify({ socket: env.socket, program: found.path, log }),
    ...(env.watchdogMs !== undefined ? { watchdogMs: env.watchdogMs } : {}),
    describe: (r, failures) => {
      const d = daemon();
      return passStatus(r, d?.routeStates() ?? [], d?.drainState() !== undefined, failures);
    },
  });
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the route daemon (the default when no command is given)',
  usage: '[-f FILE] [-noop] [-oneshot] [-debug] [-syslog] [-log-format auto|text|json]',
  details:
    'Flags keep the original AWSnycast spellings: -noop and --noop, -f FILE, --f FILE and -f=FILE all work.\n' +
    'Signals: SIGTERM/SIGINT stop (routes stay as they are, or are handed off first with handoff_on_stop: true; a second signal stops at once); SIGHUP reloads the config (an invalid one is rejected and the old one kept).',
  flags: runFlags,
  async run(parsed) {
    if (parsed.flags.version === true) {
      process.stdout.write(versionLine() + '\n');
      return EXIT.ok;
    }
    const format = logFormat(parsed);
    const timeoutMs = startupTimeoutMs(parsed);
    const file = configPath(parsed);
    // Taken out of the environment before anything starts a child (see sd-notify.ts).
    const notifyEnv = takeNotifyEnv();
    const config = loadForRun(file);
    if (config === undefined) return EXIT.error;
    const logging = createLogger({ format, debug: parsed.flags.debug === true, syslog: parsed.flags.syslog === true });
    const { log } = logging;
    // Filled in once start-up has built the daemon (the notifier's statuses show its routes).
    const built: { daemon?: Daemon } = {};
    // -oneshot runs one pass and exits: nothing to be ready for (a oneshot unit has no NOTIFY_SOCKET).
    const notifier = parsed.flags.oneshot === true ? undefined : systemdNotifier(notifyEnv, log, () => built.daemon);
    const close = async (): Promise<void> => {
      await notifier?.close(NOTIFY_CLOSE_MS);
      logging.close();
    };
    const stop = new AbortController();
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      notifier?.stopping();
      const d = built.daemon;
      // handoff_on_stop: hand routes off first, bounded by handoff_timeout; a second signal stops at once.
      if (stopping || d === undefined || !d.currentConfig.handoffOnStop || parsed.flags.oneshot === true) {
        log.info({ signal: sig }, stopping ? 'stopping at once' : 'stopping; routes stay as they are');
        stop.abort();
        return;
      }
      stopping = true;
      const timeout = d.currentConfig.handoffTimeout;
      log.info({ signal: sig, handoffTimeout: timeout }, `stopping: handing routes off first (at most ${timeout} s)`);
      void d.handOff(timeout * 1000).then(
        (done) => {
          log.info({ done }, done ? 'hand-off done; stopping' : `hand-off not confirmed within ${timeout} s; stopping anyway`);
          stop.abort();
        },
        () => stop.abort(),
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // A SIGHUP before start-up is done must not end the daemon (Node's default): it is remembered and
    // the config reloaded once the daemon runs.
    let hupDuringStartup = false;
    const onEarlyHup = (): void => {
      hupDuringStartup = true;
      log.info({}, 'SIGHUP during start-up: the config will be reloaded once started');
    };
    process.on('SIGHUP', onEarlyHup);
    const noop = parsed.flags.noop === true;
    log.info({ config: config.file, noop, oneshot: parsed.flags.oneshot === true, version: versionLine() }, 'awsnycast starting');
    notifier?.status("starting: reading this instance's identity (instance metadata, then EC2)");
    let booted;
    let metrics: import('../../status/metrics.js').Metrics | undefined;
    try {
      // Loaded on use: the AWS SDK takes a while to import, and other commands do not need it.
      const { boot } = await import('../../daemon/boot.js');
      const { Metrics } = await import('../../status/metrics.js');
      metrics = new Metrics();
      booted = await boot({ config, log, noop, startupTimeoutMs: timeoutMs, signal: stop.signal, metrics, ...(notifier !== undefined ? { onBeat: notifier.beat } : {}) });
    } catch (e) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onEarlyHup);
      if (e instanceof StartupAborted) {
        log.info({}, 'stopped during start-up');
        await close();
        return EXIT.ok;
      }
      if (e instanceof StartupError) {
        log.error({ code: e.code }, e.message);
        notifier?.status(`start-up failed: ${e.message}`);
        await close();
        process.stderr.write(`awsnycast: ${e.message}\n`);
        return EXIT.error;
      }
      await close();
      throw e;
    }
    const { daemon, ec2 } = booted;
    built.daemon = daemon;
    notifier?.status(`started as ${daemon.identity.instanceId} (${daemon.identity.networkInterfaceId}); first pass`);
    // The lifecycle watcher (started with the loop; not for -oneshot); a reload re-syncs it.
    let lifecycle: import('../../daemon/lifecycle-wiring.js').LifecycleWiring | undefined;
    const onHup = (): void => {
      notifier?.reloading();
      const r = loadConfigFile(file, { trusted: true });
      if (!r.ok) {
        const errors = formatProblems(r.problems);
        log.error({ errors }, 'SIGHUP: the new config is invalid; keeping the old one');
        const first = errors[0] ?? 'invalid';
        notifier?.reloadRefused(`${r.problems.length === 1 ? first : `${r.problems.length} errors, the first: ${first}`} (awsnycast validate -f ${file})`);
        return;
      }
      log.info({ config: file }, 'SIGHUP: config reloaded');
      notifier?.reloaded();
      daemon.reload(r.config);
      lifecycle?.sync(r.config);
    };
    process.on('SIGHUP', onHup);
    process.off('SIGHUP', onEarlyHup);
    if (hupDuringStartup) onHup();
    const { startStatusServer, StatusSocketInUse } = await import('../../status/server.js');
    const statusOptions = (withSocket: boolean): Parameters<typeof startStatusServer>[0] => ({
      daemon,
      metrics,
      log,
      version: versionLine(),
      noop,
      ...(withSocket && config.statusSocket !== undefined ? { socketPath: config.statusSocket } : {}),
      ...(config.statusListen !== undefined ? { listen: config.statusListen } : {}),
    });
    let status;
    try {
      try {
        status = parsed.flags.oneshot === true || metrics === undefined ? undefined : await startStatusServer(statusOptions(true));
      } catch (e) {
        // Another daemon serves this status socket: never take it over. With a status.socket of its own
        // in the config, refuse to start; on the default path (several daemons on one test host, each
        // playing an instance) run without a socket, say so, and keep the TCP endpoint if there is one.
        if (!(e instanceof StatusSocketInUse)) throw e;
        if (config.statusSocket !== DEFAULTS.statusSocket) {
          log.error({ code: e.code, socket: e.path }, e.message);
          process.stderr.write(`awsnycast: ${e.message}\n`);
          return EXIT.error;
        }
        log.warn({ code: e.code, socket: e.path }, `${e.message}; running without a status socket (set status.socket to give this daemon its own)`);
        status = await startStatusServer(statusOptions(false));
      }
      if (parsed.flags.oneshot === true) {
        daemon.startChecks(stop.signal);
        const decided = await daemon.waitForChecks(daemon.decideBoundMs());
        if (!decided) log.warn({}, 'not every check decided in time; running the pass anyway (undecided checks block changes)');
        const r = await daemon.pass();
        return r.ok ? EXIT.ok : EXIT.error;
      }
      const { LifecycleWiring } = await import('../../daemon/lifecycle-wiring.js');
      lifecycle = new LifecycleWiring(daemon, log, stop.signal, metrics);
      lifecycle.sync(config);
      await daemon.run(stop.signal);
      return EXIT.ok;
    } finally {
      await status?.close();
      process.off('SIGHUP', onHup);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await daemon.stop();
      ec2.destroy();
      await close();
    }
  },
};

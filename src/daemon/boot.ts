// Wiring shared by `run` and `plan`: config -> logger -> identity (metadata,
// then our forwarding interface through EC2) -> EC2 adapter -> daemon.
import type { Config } from '../config/model.js';
import { SdkEc2 } from '../ec2/sdk-adapter.js';
import { packageVersion } from '../cli/version.js';
import { MetadataError, fetchIdentity } from '../imds/identity.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../status/metrics.js';
import { Daemon } from './daemon.js';
import type { LoopBeat } from './scheduler.js';
import { StartupError, resolveIdentity } from './startup.js';

export interface BootOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly noop: boolean;
  /** How long metadata and EC2 may stay unreachable at start-up. */
  readonly startupTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly metrics?: Metrics;
  /** Receives the loop's beats (`run` under systemd: the watchdog). */
  readonly onBeat?: (beat: LoopBeat) => void;
}

export interface Booted {
  readonly daemon: Daemon;
  readonly ec2: SdkEc2;
}

export async function boot(o: BootOptions): Promise<Booted> {
  let md;
  try {
    md = await fetchIdentity({
      deadlineMs: o.startupTimeoutMs,
      signal: o.signal,
      onRetry: (attempt, why, ms) => o.log.warn({ attempt, retryInMs: Math.round(ms) }, `instance metadata not reachable yet: ${why}`),
    });
  } catch (e) {
    if (e instanceof MetadataError) throw new StartupError('START_IMDS', e.message);
    throw e;
  }
  o.log.info({ instanceId: md.instanceId, az: md.az, region: md.region, vpcId: md.vpcId, subnetId: md.subnetId }, 'identity from instance metadata');
  const metrics = o.metrics;
  // The User-Agent names the daemon in CloudTrail's userAgent field.
  const ec2 = new SdkEc2({ region: md.region, userAgent: `awsnycast/${packageVersion()}`, ...(metrics !== undefined ? { onCall: (action: string, outcome: string) => metrics.ec2Calls.inc({ action, outcome }) } : {}) });
  try {
    const identity = await resolveIdentity(md, ec2, o.startupTimeoutMs, (why) => o.log.warn({}, `EC2 not reachable yet: ${why}`), o.signal);
    o.log.info({ networkInterfaceId: identity.networkInterfaceId }, 'routes will point at this interface');
    return { daemon: new Daemon({ config: o.config, identity, ec2, log: o.log, noop: o.noop, ...(metrics !== undefined ? { metrics } : {}), ...(o.onBeat !== undefined ? { onBeat: o.onBeat } : {}) }), ec2 };
  } catch (e) {
    ec2.destroy();
    throw e;
  }
}

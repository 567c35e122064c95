// Start-up: who we are (instance metadata) and which interface our routes
// point at (the one with source/destination check disabled). Each failure is
// a StartupError with a message that says what to fix; no stack traces.
import type { Identity } from '../core/types.js';
import { toEc2Error } from '../ec2/errors.js';
import { forwardingInterfaces } from '../ec2/interfaces.js';
import type { Ec2Port, InterfaceView } from '../ec2/port.js';
import { StartupAborted, abortableSleep, aborted } from '../imds/abort.js';
import type { MetadataIdentity } from '../imds/identity.js';

export class StartupError extends Error {
  constructor(
    readonly code: 'START_IMDS' | 'START_EC2' | 'START_SOURCE_DEST_CHECK',
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export function endpointHint(): string {
  const ec2 = process.env.AWS_ENDPOINT_URL_EC2 ?? process.env.AWS_ENDPOINT_URL;
  return ec2 !== undefined && ec2 !== ''
    ? `${ec2} (from ${process.env.AWS_ENDPOINT_URL_EC2 !== undefined ? 'AWS_ENDPOINT_URL_EC2' : 'AWS_ENDPOINT_URL'})`
    : 'the regional EC2 endpoint (set AWS_ENDPOINT_URL_EC2 to change it)';
}

/** Picks the interface with source/dest check disabled; the lowest device index wins when several are. */
export function pickInterface(instanceId: string, interfaces: readonly InterfaceView[]): InterfaceView {
  const chosen = forwardingInterfaces(interfaces)[0];
  if (chosen === undefined) {
    const list = interfaces.length === 0 ? 'no interfaces were found' : interfaces.map((n) => `${n.id}: source/dest check enabled`).join(', ');
    throw new StartupError(
      'START_SOURCE_DEST_CHECK',
      `refusing to start: no network interface of ${instanceId} has source/destination check disabled (${list}); ` +
        `AWS drops traffic forwarded through such an interface. Disable it, e.g. aws ec2 modify-network-interface-attribute --network-interface-id ENI --no-source-dest-check`,
    );
  }
  return chosen;
}

/** Finds our forwarding interface, retrying EC2 until the deadline. */
export async function resolveIdentity(
  md: MetadataIdentity,
  ec2: Ec2Port,
  deadlineMs: number,
  onRetry?: (why: string) => void,
  signal?: AbortSignal,
): Promise<Identity> {
  const deadline = performance.now() + deadlineMs;
  let delay = 500;
  for (;;) {
    let interfaces: InterfaceView[];
    try {
      interfaces = await ec2.describeNetworkInterfaces({ instanceId: md.instanceId });
    } catch (e) {
      const err = toEc2Error('DescribeNetworkInterfaces', e);
      if (performance.now() + delay > deadline || err.code === 'EC2_PERMISSION_DENIED')
        throw new StartupError('START_EC2', `cannot reach EC2 at ${endpointHint()} to find the interfaces of ${md.instanceId}: ${err.message}`);
      if (aborted(signal)) throw new StartupAborted();
      onRetry?.(err.message);
      await abortableSleep(delay, signal);
      delay = Math.min(delay * 2, 8000);
      continue;
    }
    const chosen = pickInterface(md.instanceId, interfaces);
    const ownIps = new Set<string>([md.localIpv4, ...md.interfaces.flatMap((i) => i.ips), ...interfaces.flatMap((n) => n.privateIps)]);
    return {
      instanceId: md.instanceId,
      az: md.az,
      region: md.region,
      vpcId: md.vpcId,
      subnetId: md.subnetId,
      networkInterfaceId: chosen.id,
      ownIps: [...ownIps].filter((ip) => ip !== ''),
    };
  }
}

// Who we are, from instance metadata (IMDSv2: a token, then reads), through
// the SDK's metadata client, so AWS_EC2_METADATA_SERVICE_ENDPOINT and the
// SDK's config file settings point it elsewhere. Retries with backoff until
// a deadline, then fails with what was unreachable and which setting names it.
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { StartupAborted, abortableSleep, aborted } from './abort.js';

export interface MetadataIdentity {
  readonly instanceId: string;
  readonly az: string;
  readonly region: string;
  readonly localIpv4: string;
  readonly mac: string;
  readonly vpcId: string;
  readonly subnetId: string;
  /** Every interface of the instance as metadata lists it. */
  readonly interfaces: readonly { mac: string; interfaceId: string; deviceNumber: number; ips: readonly string[] }[];
}

export class MetadataError extends Error {
  readonly code = 'IMDS_UNREACHABLE';
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

export interface IdentityOptions {
  /** Give up after this long. Default 60 s. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Called before each retry. */
  readonly onRetry?: (attempt: number, error: string, delayMs: number) => void;
}

function endpointDescription(): string {
  const env = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  return env !== undefined && env !== ''
    ? `${env} (from AWS_EC2_METADATA_SERVICE_ENDPOINT)`
    : 'http://169.254.169.254 (the default; set AWS_EC2_METADATA_SERVICE_ENDPOINT to change it)';
}

async function readIdentity(md: MetadataService): Promise<MetadataIdentity> {
  const get = async (p: string): Promise<string> => (await md.request(`/latest/meta-data/${p}`, {})).trim();
  const instanceId = await get('instance-id');
  const az = await get('placement/availability-zone');
  let region: string;
  try {
    region = await get('placement/region');
  } catch {
    region = az.replace(/[a-z]$/, '');
  }
  const localIpv4 = await get('local-ipv4');
  const mac = await get('mac');
  const macs = (await get('network/interfaces/macs/'))
    .split('\n')
    .map((m) => m.trim().replace(/\/$/, ''))
    .filter((m) => m !== '');
  const interfaces = [];
  for (const m of macs) {
    const base = `network/interfaces/macs/${m}`;
    interfaces.push({
      mac: m,
      interfaceId: await get(`${base}/interface-id`),
      deviceNumber: Number(await get(`${base}/device-number`)),
      ips: (await get(`${base}/local-ipv4s`)).split('\n').map((s) => s.trim()).filter((s) => s !== ''),
    });
  }
  const vpcId = await get(`network/interfaces/macs/${mac}/vpc-id`);
  const subnetId = await get(`network/interfaces/macs/${mac}/subnet-id`);
  return { instanceId, az, region, localIpv4, mac, vpcId, subnetId, interfaces };
}

/** Reads our identity, retrying with backoff (0.5 s doubling to 8 s) until the deadline. */
export async function fetchIdentity(opts: IdentityOptions = {}): Promise<MetadataIdentity> {
  const deadline = performance.now() + (opts.deadlineMs ?? 60_000);
  const md = new MetadataService({ httpOptions: { timeout: 2000 }, retries: 0 });
  let delay = 500;
  for (let attempt = 1; ; attempt++) {
    if (aborted(opts.signal)) throw new StartupAborted();
    try {
      return await readIdentity(md);
    } catch (e) {
      if (aborted(opts.signal)) throw new StartupAborted();
      const why = e instanceof Error ? e.message : String(e);
      const left = deadline - performance.now();
      if (left <= 0)
        throw new MetadataError(`instance metadata is unreachable at ${endpointDescription()} after ${attempt} attempt(s): ${why}`);
      const wait = Math.min(delay, left);
      opts.onRetry?.(attempt, why, wait);
      await abortableSleep(wait, opts.signal);
      delay = Math.min(delay * 2, 8000);
    }
  }
}

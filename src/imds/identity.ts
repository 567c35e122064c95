// Who we are, from instance metadata (IMDSv2: a token, then reads), through
// the daemon's one metadata client (imds-client.ts), whose endpoint is the
// SDK's own resolution: AWS_EC2_METADATA_SERVICE_ENDPOINT and the SDK's
// config file settings point it elsewhere. Retries with backoff until
// a deadline, then fails with what was unreachable and which setting names it.
import { ImdsClient, ImdsHttpError } from './imds-client.js';
import type { MetadataReader } from './lifecycle.js';
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
  constructor(
    message: string,
    /** IMDS_UNREACHABLE: no answer by the deadline; IMDS_INVALID: an answer of the wrong shape (not retried). */
    readonly code: 'IMDS_UNREACHABLE' | 'IMDS_INVALID' = 'IMDS_UNREACHABLE',
  ) {
    super(message);
    this.name = 'MetadataError';
  }
}

// What each value must look like. Anything else (a 5 MB "instance id", control characters, ...) stops
// start-up: these values are logged, put in the status document and compared with EC2's answers.
const id = (prefix: string): RegExp => new RegExp(`^${prefix}-(?:[0-9a-z]{8}|[0-9a-z]{17})$`);
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
export const SHAPES = {
  instanceId: { re: id('i'), what: 'i- followed by 8 or 17 lowercase letters or digits' },
  // us-east-1a, us-gov-west-1b, and Local Zones such as us-west-2-lax-1a.
  az: { re: /^[a-z]{2}(?:-[a-z0-9]+){2,5}$/, what: 'an availability zone name such as us-east-1a' },
  region: { re: /^[a-z]{2}(?:-[a-z]+){1,3}-\d{1,2}$/, what: 'a region name such as us-east-1' },
  ipv4: { re: IPV4, what: 'an IPv4 address' },
  mac: { re: MAC, what: 'a MAC address such as 0a:1b:2c:3d:4e:5f' },
  vpcId: { re: id('vpc'), what: 'vpc- followed by 8 or 17 lowercase letters or digits' },
  subnetId: { re: id('subnet'), what: 'subnet- followed by 8 or 17 lowercase letters or digits' },
  eniId: { re: id('eni'), what: 'eni- followed by 8 or 17 lowercase letters or digits' },
  deviceNumber: { re: /^\d{1,3}$/, what: 'a device number (0-999)' },
} as const satisfies Record<string, { re: RegExp; what: string }>;
type Shape = keyof typeof SHAPES;

/** More interfaces or addresses than this in one listing is not a real instance. */
const MAX_LIST = 256;

/** At most `max` characters of `v`, quoted, with anything but printable ASCII escaped. */
export function excerpt(v: string, max = 40, length = v.length): string {
  const head = [...v.slice(0, max)].map((c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    const cp = c.codePointAt(0)!;
    return cp >= 0x20 && cp < 0x7f ? c : cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\u{${cp.toString(16)}}`;
  });
  return `"${head.join('')}"${length > max ? `… (${length} characters)` : ''}`;
}

function invalid(path: string, value: string, what: string): MetadataError {
  return new MetadataError(`instance metadata ${path} is not ${what}: ${excerpt(value)}`, 'IMDS_INVALID');
}

function check(path: string, value: string, shape: Shape): string {
  if (value.length > 64 || !SHAPES[shape].re.test(value)) throw invalid(path, value, SHAPES[shape].what);
  return value;
}

/** A newline-separated listing whose entries must each have the shape. */
function checkList(path: string, value: string, shape: Shape, strip = false): string[] {
  const items = value
    .split('\n')
    .map((s) => (strip ? s.trim().replace(/\/$/, '') : s.trim()))
    .filter((s) => s !== '');
  if (items.length > MAX_LIST) throw invalid(path, value, `a list of at most ${MAX_LIST} entries`);
  for (const i of items) check(path, i, shape);
  return items;
}

export interface IdentityOptions {
  /** Give up after this long. Default 60 s. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Called before each retry. */
  readonly onRetry?: (attempt: number, error: string, delayMs: number) => void;
  /** The metadata client to read through (its session token is reused); default a new one with a 2 s timeout. */
  readonly reader?: MetadataReader;
}

function endpointDescription(): string {
  const env = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  return env !== undefined && env !== ''
    ? `${env} (from AWS_EC2_METADATA_SERVICE_ENDPOINT)`
    : 'http://169.254.169.254 (the default; set AWS_EC2_METADATA_SERVICE_ENDPOINT to change it)';
}

async function readIdentity(md: MetadataReader): Promise<MetadataIdentity> {
  const path = (p: string): string => `/latest/meta-data/${p}`;
  // An answer too long to be metadata will not fix itself: refused at once, as a value of the wrong shape is.
  const raw = async (p: string, what = 'an answer of at most 256 KB'): Promise<string> => {
    try {
      return (await md.request(path(p), {})).trim();
    } catch (e) {
      const big = e instanceof ImdsHttpError ? e.tooLarge : undefined;
      if (big !== undefined) throw new MetadataError(`instance metadata ${path(p)} is not ${what}: ${excerpt(big.head, 40, big.length)}`, 'IMDS_INVALID');
      throw e;
    }
  };
  const get = async (p: string, shape: Shape): Promise<string> => check(path(p), await raw(p, SHAPES[shape].what), shape);
  const instanceId = await get('instance-id', 'instanceId');
  const az = await get('placement/availability-zone', 'az');
  let region: string | undefined;
  try {
    region = await raw('placement/region', SHAPES.region.what);
  } catch (e) {
    if (e instanceof MetadataError) throw e;
    region = undefined; // older instances have no placement/region: derived from the AZ below
  }
  region = region === undefined ? check(`${path('placement/availability-zone')} (as a region)`, az.replace(/[a-z]$/, ''), 'region') : check(path('placement/region'), region, 'region');
  const localIpv4 = await get('local-ipv4', 'ipv4');
  const mac = await get('mac', 'mac');
  const macs = checkList(path('network/interfaces/macs/'), await raw('network/interfaces/macs/'), 'mac', true);
  const interfaces = [];
  for (const m of macs) {
    const base = `network/interfaces/macs/${m}`;
    interfaces.push({
      mac: m,
      interfaceId: await get(`${base}/interface-id`, 'eniId'),
      deviceNumber: Number(await get(`${base}/device-number`, 'deviceNumber')),
      ips: checkList(path(`${base}/local-ipv4s`), await raw(`${base}/local-ipv4s`), 'ipv4'),
    });
  }
  const vpcId = await get(`network/interfaces/macs/${mac}/vpc-id`, 'vpcId');
  const subnetId = await get(`network/interfaces/macs/${mac}/subnet-id`, 'subnetId');
  return { instanceId, az, region, localIpv4, mac, vpcId, subnetId, interfaces };
}

/** Reads our identity, retrying with backoff (0.5 s doubling to 8 s) until the deadline. */
export async function fetchIdentity(opts: IdentityOptions = {}): Promise<MetadataIdentity> {
  const deadline = performance.now() + (opts.deadlineMs ?? 60_000);
  const md = opts.reader ?? new ImdsClient(2000);
  let delay = 500;
  for (let attempt = 1; ; attempt++) {
    if (aborted(opts.signal)) throw new StartupAborted();
    try {
      return await readIdentity(md);
    } catch (e) {
      if (aborted(opts.signal)) throw new StartupAborted();
      // A value of the wrong shape will not fix itself: stop now, naming it.
      if (e instanceof MetadataError) throw e;
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

// Shared set-up for the simulator integration tests: start a simulator on a
// world, and make real AWS SDK clients that talk to it.
import { EC2Client } from '@aws-sdk/client-ec2';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WORLDS = `${ROOT}examples/worlds/`;
export const NAT_WORLD = `${WORLDS}nat-pair.yaml`;
export const ANYCAST_WORLD = `${WORLDS}anycast-trio.yaml`;

export async function sim(world: SimulatorOptions['world'] = NAT_WORLD, opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({ world, ...opts });
}

/** A real EC2 client; no retries unless asked, so error tests see the first answer. */
export function ec2(s: Simulator, opts: { accessKeyId?: string; maxAttempts?: number; region?: string } = {}): EC2Client {
  return new EC2Client({
    region: opts.region ?? s.region,
    endpoint: s.ec2Endpoint,
    credentials: { accessKeyId: opts.accessKeyId ?? 'AKIDSIMTEST', secretAccessKey: 'not-a-secret' },
    maxAttempts: opts.maxAttempts ?? 1,
  });
}

/** Runs fn and returns the error it throws (fails if it does not throw). */
export async function failure(
  fn: () => Promise<unknown>,
): Promise<{ name: string; status: number | undefined; code: string | undefined; message: string }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; message?: string };
    return { name: err.name ?? 'Error', status: err.$metadata?.httpStatusCode, code: err.code, message: err.message ?? '' };
  }
  throw new Error('expected the call to fail, it succeeded');
}

export const NAT = {
  vpc: 'vpc-0a000000000000001',
  otherVpc: 'vpc-0b000000000000002',
  main: 'rtb-0a000000000000000',
  public: 'rtb-0a0000000000000a0',
  privA: 'rtb-0a0000000000000a1',
  privB: 'rtb-0a0000000000000b1',
  other: 'rtb-0b000000000000001',
  natA: 'i-0a0000000000000a1',
  natB: 'i-0a0000000000000b1',
  eniA: 'eni-0a0000000000000a1',
  eniB: 'eni-0a0000000000000b1',
  igw: 'igw-0a000000000000001',
  otherIgw: 'igw-0b000000000000002',
  subPubA: 'subnet-0a000000000000a01',
  subPrivA: 'subnet-0a000000000000a02',
  subPrivB: 'subnet-0a000000000000b02',
  otherSubnet: 'subnet-0b000000000000a01',
} as const;

export const ANY = {
  vpc: 'vpc-0c000000000000001',
  main: 'rtb-0c000000000000000',
  app: 'rtb-0c000000000000001',
  a: 'i-0c00000000000000a',
  b: 'i-0c00000000000000b',
  c: 'i-0c00000000000000c',
  eniA: 'eni-0c00000000000000a',
  eniB: 'eni-0c00000000000000b',
  eniC0: 'eni-0c0000000000000c0',
  eniC1: 'eni-0c0000000000000c1',
} as const;

/** Opens (and closes) a fresh TCP connection to an http://host:port URL: 'connected' or the error code. */
export function tryConnect(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    sock.once('connect', () => {
      sock.destroy();
      resolve('connected');
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

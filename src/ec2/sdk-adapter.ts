// The one adapter from the EC2 port to AWS. It speaks EC2's query protocol
// through Ec2QueryClient (query/client.ts), which is made of the AWS SDK's own
// parts (credential chain, SigV4 signer, HTTP handler, standard retry mode,
// XML parser) and honours only the SDK's standard settings: the default
// credential chain, AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL and the shared
// config's endpoint_url. No simulator-specific code.
import { GONE, type NatGatewayView, type OwnerFacts, type RouteTableView } from '../core/types.js';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { toEc2Error } from './errors.js';
import type { DryRunAnswer, DryRunCall, Ec2DryRun, Ec2Port, InstanceView, InterfaceView, PeerQuery, RouteTableQuery } from './port.js';
import { dryRunRequest, interfacesParams, natGatewaysParams, peersParams, routeParams, routeTablesParams, statusParams } from './requests.js';
import { Ec2QueryClient, type QueryParams } from './query/client.js';
import { instanceViews, interfaceView, natGatewayView, ownerFacts, routeTableView } from './query/views.js';
import { items, nextToken, text, type XmlNode } from './query/xml.js';

export interface SdkAdapterOptions {
  readonly region: string;
  /** Total attempts per call, including the first (SDK standard retry). Default 4. */
  readonly maxAttempts?: number;
  /** Called after every EC2 call with its action and outcome ('ok' or an Ec2Outcome code). */
  readonly onCall?: (action: string, outcome: string, ms: number) => void;
  /** Sent as User-Agent. */
  readonly userAgent?: string;
  /** As the SDK clients' own options: the daemon sets neither and relies on the standard settings; tests and tools may. */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
}

/** AWS's documented maximum of explicitly listed instance ids per DescribeInstanceStatus call. */
export const STATUS_IDS_PER_CALL = 100;
/** Values per filter in one call (AWS documents no limit here; 200 is reported in the field: stay below). */
export const FILTER_VALUES_PER_CALL = 100;

/**
 * For an InvalidInstanceID.NotFound answer: which of `asked` its message names
 * (AWS: "The instance ID 'i-1' does not exist", "The instance IDs 'i-1, i-2'
 * do not exist"); undefined for any other error.
 */
export function missingInstances(e: unknown, asked: readonly string[]): string[] | undefined {
  const err = e as { name?: string; Code?: string; message?: string };
  if ((err.Code ?? err.name) !== 'InvalidInstanceID.NotFound') return undefined;
  const named = new Set((err.message ?? '').match(/\bi-[0-9a-zA-Z]+\b/g) ?? []);
  return asked.filter((id) => named.has(id));
}

/** Every page of a paginated describe: `each` gets each page's root element. */
async function pages(client: Ec2QueryClient, action: string, params: QueryParams, each: (page: XmlNode) => void): Promise<void> {
  let token: string | undefined;
  do {
    const page = await client.send(action, { ...params, ...(token !== undefined ? { NextToken: token } : {}) });
    each(page);
    token = nextToken(page);
  } while (token !== undefined);
}

function staticCredentials(c: AwsCredentialIdentity): AwsCredentialIdentityProvider {
  return () => Promise.resolve(c);
}

export class SdkEc2 implements Ec2Port, Ec2DryRun {
  readonly client: Ec2QueryClient;
  private readonly onCall: NonNullable<SdkAdapterOptions['onCall']>;

  constructor(opts: SdkAdapterOptions) {
    // An endpoint that accepts and never answers must not stall a pass.
    this.client = new Ec2QueryClient({
      region: opts.region,
      maxAttempts: opts.maxAttempts ?? 4,
      connectionTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      ...(opts.userAgent !== undefined ? { userAgent: opts.userAgent } : {}),
      ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials !== undefined ? { credentials: typeof opts.credentials === 'function' ? opts.credentials : staticCredentials(opts.credentials) } : {}),
    });
    this.onCall = opts.onCall ?? (() => undefined);
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      const r = await fn();
      this.onCall(action, 'ok', performance.now() - start);
      return r;
    } catch (e) {
      const err = toEc2Error(action, e);
      this.onCall(action, err.code, performance.now() - start);
      throw err;
    }
  }

  async describeRouteTables(q: RouteTableQuery): Promise<RouteTableView[]> {
    return this.call('DescribeRouteTables', async () => {
      const out: RouteTableView[] = [];
      await pages(this.client, 'DescribeRouteTables', { ...routeTablesParams(q), MaxResults: '100' }, (p) => {
        for (const t of items(p, 'routeTableSet')) out.push(routeTableView(t));
      });
      return out;
    });
  }

  async describeInstanceStatus(instanceIds: readonly string[]): Promise<Record<string, OwnerFacts>> {
    if (instanceIds.length === 0) return {};
    return this.call('DescribeInstanceStatus', async () => {
      const out: Record<string, OwnerFacts> = {};
      const ids = [...new Set(instanceIds)];
      for (let i = 0; i < ids.length; i += STATUS_IDS_PER_CALL) await this.statusBatch(ids.slice(i, i + STATUS_IDS_PER_CALL), out);
      return out;
    });
  }

  /**
   * One batch of at most 100 ids (InstanceId.N, AWS's documented maximum),
   * IncludeAllInstances, and no MaxResults (AWS refuses MaxResults with
   * instance ids). An id EC2 no longer knows fails the whole call with
   * InvalidInstanceID.NotFound, whose message names the missing ids: those
   * are recorded as gone and the rest asked again. When the message names
   * none of them, each id is asked alone. At most ids.length + 1 calls.
   */
  private async statusBatch(ids: readonly string[], out: Record<string, OwnerFacts>): Promise<void> {
    let pending = [...ids];
    while (pending.length > 0) {
      try {
        await pages(this.client, 'DescribeInstanceStatus', statusParams(pending), (p) => {
          for (const s of items(p, 'instanceStatusSet')) {
            const id = text(s, 'instanceId');
            if (id !== undefined) out[id] = ownerFacts(s);
          }
        });
        return;
      } catch (e) {
        const gone = missingInstances(e, pending);
        if (gone === undefined) throw e;
        if (gone.length === 0) {
          // The message names none of ours: ask for each alone (a NotFound then names that one).
          for (const id of pending) await this.statusBatch([id], out);
          return;
        }
        for (const id of gone) out[id] = { state: GONE };
        pending = pending.filter((id) => !gone.includes(id));
      }
    }
  }

  async describeNetworkInterfaces(q: { ids?: readonly string[]; instanceId?: string }): Promise<InterfaceView[]> {
    // Filter values (requests.ts) are sent in batches of 100.
    const idBatches: (readonly string[] | undefined)[] = [];
    if (q.ids === undefined) idBatches.push(undefined);
    else for (let i = 0; i < q.ids.length; i += FILTER_VALUES_PER_CALL) idBatches.push(q.ids.slice(i, i + FILTER_VALUES_PER_CALL));
    return this.call('DescribeNetworkInterfaces', async () => {
      const found: InterfaceView[] = [];
      for (const ids of idBatches) {
        const params = interfacesParams({ ...(q.instanceId !== undefined ? { instanceId: q.instanceId } : {}), ...(ids !== undefined ? { ids } : {}) });
        await pages(this.client, 'DescribeNetworkInterfaces', params, (p) => {
          for (const n of items(p, 'networkInterfaceSet')) found.push(interfaceView(n));
        });
      }
      return found;
    });
  }

  async findInstances(q: PeerQuery): Promise<InstanceView[]> {
    return this.call('DescribeInstances', async () => {
      const out: InstanceView[] = [];
      await pages(this.client, 'DescribeInstances', { ...peersParams(q), MaxResults: '1000' }, (p) => out.push(...instanceViews(p)));
      return out;
    });
  }

  async describeNatGateways(ids: readonly string[]): Promise<Record<string, NatGatewayView>> {
    if (ids.length === 0) return {};
    return this.call('DescribeNatGateways', async () => {
      const out: Record<string, NatGatewayView> = {};
      await pages(this.client, 'DescribeNatGateways', { ...natGatewaysParams([...new Set(ids)]), MaxResults: '1000' }, (p) => {
        for (const g of items(p, 'natGatewaySet')) {
          const id = text(g, 'natGatewayId');
          if (id !== undefined) out[id] = natGatewayView(g);
        }
      });
      return out;
    });
  }

  async createRoute(routeTableId: string, cidr: string, target: string): Promise<void> {
    await this.call('CreateRoute', () => this.client.send('CreateRoute', routeParams(routeTableId, cidr, target)));
  }

  async replaceRoute(routeTableId: string, cidr: string, target: string): Promise<void> {
    await this.call('ReplaceRoute', () => this.client.send('ReplaceRoute', routeParams(routeTableId, cidr, target)));
  }

  async deleteRoute(routeTableId: string, cidr: string): Promise<void> {
    await this.call('DeleteRoute', () => this.client.send('DeleteRoute', routeParams(routeTableId, cidr)));
  }

  /**
   * Sends `call` with DryRun=true and returns EC2's answer without judging it.
   * DryRun never changes anything: "Checks whether you have the required
   * permissions for the action, without actually making the request" (the
   * DryRun parameter of every EC2 action, e.g.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html).
   */
  async dryRun(call: DryRunCall): Promise<DryRunAnswer> {
    const { action, params } = dryRunRequest(call);
    const start = performance.now();
    try {
      await this.client.send(action, params);
      this.onCall(action, 'ok', performance.now() - start);
      return { awsCode: 'ok', message: `${action} succeeded although DryRun was set`, outcome: 'ok' };
    } catch (e) {
      const err = toEc2Error(action, e);
      this.onCall(action, err.code, performance.now() - start);
      return { awsCode: err.awsCode, message: err.message, outcome: err.code };
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

// Instance metadata (IMDSv2) for one instance, on its own loopback port, so
// each daemon sets its own AWS_EC2_METADATA_SERVICE_ENDPOINT.
//   PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1-21600)
//   returns a token; GETs must carry it in X-aws-ec2-metadata-token when the
//   instance requires IMDSv2 (401 otherwise); expired or foreign tokens: 401.
// Besides identity, placement, interfaces and role credentials, it serves the
// instance's lifecycle signals (signals.ts): spot/instance-action,
// autoscaling/target-lifecycle-state, events/maintenance/scheduled and
// events/recommendations/rebalance.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from './clock.js';
import { Listener } from './ec2-server.js';
import type { Faults } from './faults.js';
import type { Instance } from './model.js';
import { rebalanceDoc, scheduledEventsDoc, spotInstanceActionDoc, spotTerminationTimeDoc } from './signals.js';
import type { Ec2State } from './state.js';

const MAX_TTL = 21600;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export interface ImdsContext {
  readonly state: () => Ec2State;
  readonly faults: () => Faults;
  readonly clock: Clock;
}

export class ImdsServer {
  readonly listener: Listener;
  private readonly tokens = new Map<string, number>();
  private readonly held = new Set<ServerResponse>();

  constructor(
    readonly instanceId: string,
    private readonly ctx: ImdsContext,
    host: string,
  ) {
    this.listener = new Listener((req, res) => this.handle(req, res), host);
  }

  get endpoint(): string {
    return `http://${this.listener.address}`;
  }

  /** Applies the IMDS outage switch: `refuse` takes the listener down, anything else brings it back. */
  async applyOutage(): Promise<void> {
    const mode = this.ctx.faults().imdsMode(this.instanceId);
    if (mode === 'refuse') await this.listener.down();
    else await this.listener.again();
    if (mode !== 'hang') this.releaseHeld();
  }

  releaseHeld(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.releaseHeld();
    await this.listener.down();
  }

  forgetTokens(): void {
    this.tokens.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const mode = this.ctx.faults().imdsMode(this.instanceId);
    if (mode === 'hang') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    if (mode === 'error') return send(res, 500, 'Internal Server Error');
    // Clients join the endpoint's path and theirs, so `//latest/...` arrives; collapse repeated slashes.
    const url = (req.url ?? '/').split('?')[0]!.replace(/\/{2,}/g, '/');
    if (url === '/latest/api/token') return this.token(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed');
    const given = req.headers['x-aws-ec2-metadata-token'];
    const inst = this.ctx.state().instances.get(this.instanceId);
    if (inst === undefined) return send(res, 404, 'Not Found');
    if (typeof given === 'string') {
      const exp = this.tokens.get(given);
      if (exp === undefined || exp <= this.ctx.clock.now()) {
        if (exp !== undefined) this.tokens.delete(given);
        return send(res, 401, 'Unauthorized');
      }
    } else if (inst.imdsV2Required) {
      return send(res, 401, 'Unauthorized');
    }
    const body = this.lookup(inst, url);
    if (body === undefined) return send(res, 404, 'Not Found');
    const json = body.startsWith('{') || body.startsWith('[');
    res.writeHead(200, {
      'content-type': json ? 'application/json' : 'text/plain',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private token(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'PUT') return send(res, 405, 'Method Not Allowed');
    if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403, 'Forbidden');
    const raw = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
    const ttl = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(ttl >= 1 && ttl <= MAX_TTL)) return send(res, 400, 'Bad Request');
    const now = this.ctx.clock.now();
    for (const [t, exp] of this.tokens) if (exp <= now) this.tokens.delete(t);
    const token = randomBytes(40).toString('base64url');
    this.tokens.set(token, now + ttl * 1000);
    send(res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
  }

  /** The document at a metadata path, or undefined for 404. */
  private lookup(inst: Instance, url: string): string | undefined {
    const state = this.ctx.state();
    const enis = state.attachedEnis(inst);
    const primary = enis[0];
    const subnetOf = (id: string): string | undefined => state.subnets.get(id)?.cidr;
    const vpcCidr = state.vpcs.get(inst.vpcId)?.cidr;
    const md = '/latest/meta-data/';
    if (url === '/latest/dynamic/instance-identity/document') {
      return JSON.stringify(
        {
          accountId: state.accountId,
          architecture: 'x86_64',
          availabilityZone: inst.az,
          imageId: inst.imageId,
          instanceId: inst.id,
          instanceType: inst.instanceType,
          pendingTime: new Date(inst.launchTimeWall).toISOString(),
          privateIp: primary?.privateIp ?? null,
          region: state.region,
          version: '2017-09-30',
        },
        null,
        2,
      );
    }
    if (!url.startsWith(md) && url !== '/latest/meta-data') return undefined;
    const path = url === '/latest/meta-data' ? '' : url.slice(md.length);
    const leaves: Record<string, string | undefined> = {
      'ami-id': inst.imageId,
      'instance-id': inst.id,
      'instance-type': inst.instanceType,
      'local-ipv4': primary?.privateIp,
      'local-hostname': primary !== undefined ? `ip-${primary.privateIp.replaceAll('.', '-')}.internal` : undefined,
      hostname: primary !== undefined ? `ip-${primary.privateIp.replaceAll('.', '-')}.internal` : undefined,
      mac: primary?.mac,
      'placement/availability-zone': inst.az,
      'placement/region': state.region,
      'services/domain': 'amazonaws.com',
      // Lifecycle signals (signals.ts): absent (404) unless raised, except the
      // scheduled events, which are a list. AWS's table says the item holds
      // the active events "if there are" any; it does not say what an
      // instance without events answers. AWS's own poller,
      // aws-node-termination-handler (pkg/ec2metadata/ec2metadata.go), takes
      // a 404 as "nothing" on spot/instance-action and
      // events/recommendations/rebalance but any non-2xx answer as an error on
      // this path, and parses the body as a JSON list: so an empty list.
      'spot/instance-action': spotInstanceActionDoc(inst),
      'spot/termination-time': spotTerminationTimeDoc(inst),
      'autoscaling/target-lifecycle-state': inst.signals.targetLifecycleState,
      'events/maintenance/scheduled': scheduledEventsDoc(inst),
      'events/recommendations/rebalance': rebalanceDoc(inst),
    };
    const spot = leaves['spot/instance-action'] !== undefined;
    const asg = leaves['autoscaling/target-lifecycle-state'] !== undefined;
    const rebalance = leaves['events/recommendations/rebalance'] !== undefined;
    if (path === '' || path === '/') {
      return [
        'ami-id',
        ...(asg ? ['autoscaling/'] : []),
        'events/',
        'hostname',
        'iam/',
        'instance-id',
        'instance-type',
        'local-hostname',
        'local-ipv4',
        'mac',
        'network/',
        'placement/',
        'services/',
        ...(spot ? ['spot/'] : []),
      ].join('\n');
    }
    if (path in leaves) return leaves[path];
    if (path === 'spot/') return spot ? ['instance-action', ...(leaves['spot/termination-time'] !== undefined ? ['termination-time'] : [])].join('\n') : undefined;
    if (path === 'autoscaling/') return asg ? 'target-lifecycle-state' : undefined;
    if (path === 'events/') return ['maintenance/', ...(rebalance ? ['recommendations/'] : [])].join('\n');
    if (path === 'events/maintenance/') return 'scheduled';
    if (path === 'events/recommendations/') return rebalance ? 'rebalance' : undefined;
    if (path === 'placement/') return 'availability-zone\nregion';
    if (path === 'network/') return 'interfaces/';
    if (path === 'network/interfaces/') return 'macs/';
    if (path === 'network/interfaces/macs/') return enis.map((e) => `${e.mac}/`).join('\n');
    const m = /^network\/interfaces\/macs\/([0-9a-f:]+)(?:\/(.*))?$/.exec(path);
    if (m !== null) {
      const eni = enis.find((e) => e.mac === m[1]);
      if (eni === undefined) return undefined;
      const fields: Record<string, string | undefined> = {
        'device-number': String(eni.attachment?.deviceIndex ?? 0),
        'interface-id': eni.id,
        'local-ipv4s': eni.privateIp,
        mac: eni.mac,
        'owner-id': state.accountId,
        'subnet-id': eni.subnetId,
        'subnet-ipv4-cidr-block': subnetOf(eni.subnetId),
        'vpc-id': eni.vpcId,
        'vpc-ipv4-cidr-block': vpcCidr,
        'vpc-ipv4-cidr-blocks': vpcCidr,
      };
      const leaf = m[2] ?? '';
      if (leaf === '') return Object.keys(fields).join('\n');
      return fields[leaf];
    }
    const role = inst.iamRole;
    if (path === 'iam/') return role !== undefined ? 'info\nsecurity-credentials/' : undefined;
    if (role === undefined) return undefined;
    if (path === 'iam/security-credentials/') return role;
    if (path === 'iam/info')
      return JSON.stringify({
        Code: 'Success',
        LastUpdated: new Date(this.ctx.clock.wall()).toISOString(),
        InstanceProfileArn: `arn:aws:iam::${state.accountId}:instance-profile/${role}`,
        InstanceProfileId: 'AIPAEXAMPLEPROFILE0001',
      });
    if (path === `iam/security-credentials/${role}`) {
      const wall = this.ctx.clock.wall();
      return JSON.stringify({
        Code: 'Success',
        LastUpdated: new Date(wall).toISOString(),
        Type: 'AWS-HMAC',
        AccessKeyId: `ASIASIM${inst.id.replace(/[^0-9a-zA-Z]/g, '').slice(-13).toUpperCase()}`,
        SecretAccessKey: 'simulated-secret-access-key',
        Token: 'simulated-session-token',
        Expiration: new Date(wall + 6 * 3600 * 1000).toISOString(),
      });
    }
    return undefined;
  }
}

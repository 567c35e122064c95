// A small client for EC2's query protocol, built from the AWS SDK's own parts
// instead of @aws-sdk/client-ec2 (whose every-action model weighs ~35 MB of
// resident memory in the daemon; docs/benchmarks.md "footprint"):
//   credentials  @aws-sdk/credential-provider-node (the SDK's default chain:
//                env, SSO, shared files, process, web identity, ECS, instance
//                profile; cached and refreshed before expiry);
//   signing      @smithy/signature-v4 with the SDK's SHA-256;
//   transport    @smithy/node-http-handler, with connection and request timeouts;
//   retries      @smithy/core/retry StandardRetryStrategy (the SDK's `standard`
//                mode: jittered exponential backoff, a longer base for
//                throttling, a retry quota), classified by the SDK's own
//                isThrottlingError / isTransientError / isServerError;
//   XML          @aws-sdk/xml-builder parseXML;
//   endpoint     the SDK's standard settings (endpoint.ts).
// The request is AWS's query protocol for EC2: a form-encoded POST of
// Action, Version and the flattened parameters (AWS's page:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html);
// errors come back as <Response><Errors><Error><Code/><Message/></Error></Errors>
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { StandardRetryStrategy, isClockSkewError, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler, streamCollector } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Readable } from 'node:stream';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { resolveEc2Endpoint } from './endpoint.js';
import { parseXmlDocument, text, child, type XmlNode } from './xml.js';

/** The EC2 API version every EC2 query request names. */
export const EC2_API_VERSION = '2016-11-15';

export type QueryParams = Readonly<Record<string, string>>;

export interface QueryClientOptions {
  readonly region: string;
  /** Total attempts per call, including the first. Default 4. */
  readonly maxAttempts?: number;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Default: the SDK's default credential chain. */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Default: resolved from the standard settings (endpoint.ts). */
  readonly endpoint?: string;
  /** Sent as User-Agent. */
  readonly userAgent?: string;
}

/** An EC2 error answer, shaped as the SDK shapes service errors (name = AWS's code), so the SDK's retry rules and toEc2Error read it alike. */
export class Ec2ServiceError extends Error {
  readonly Code: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string; clockSkewCorrected?: true };

  constructor(code: string, message: string, status: number, requestId?: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, ...(requestId !== undefined ? { requestId } : {}) };
  }
}

/** RFC 3986 encoding, as SigV4 and the SDK's query serializer use it. */
const encode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const pair = ([k, v]: readonly [string, string]): string => `${encode(k)}=${encode(v)}`;

export function queryBody(action: string, params: QueryParams): string {
  const all: (readonly [string, string])[] = [['Action', action], ['Version', EC2_API_VERSION], ...Object.entries(params)];
  return all.map(pair).join('&');
}

/** The error in an EC2 error answer; `UnknownError` when the body names none. */
export function errorFromAnswer(status: number, body: string): Ec2ServiceError {
  let code = 'UnknownError';
  let message = `HTTP ${status}`;
  let requestId: string | undefined;
  try {
    const { node } = parseXmlDocument(body);
    const e = child(child(node, 'Errors'), 'Error');
    code = text(e, 'Code') ?? code;
    message = text(e, 'Message') ?? message;
    requestId = text(node, 'RequestID') ?? text(node, 'RequestId');
  } catch {
    // Not XML (a proxy's page, an empty body): keep the status alone.
  }
  return new Ec2ServiceError(code, message, status, requestId);
}

const SKEW_MS = 5 * 60_000;

function errorType(e: unknown): 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR' {
  const err = e as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(err)) return 'THROTTLING';
  if (isTransientError(err)) return 'TRANSIENT';
  if (isServerError(err)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

export class Ec2QueryClient {
  private readonly http: NodeHttpHandler;
  private readonly signer: SignatureV4;
  private readonly retry: StandardRetryStrategy;
  private endpoint: Promise<URL> | undefined;
  /** The credentials the requests are signed with (the SDK's chain caches and refreshes them). */
  readonly credentials: AwsCredentialIdentityProvider;
  /** Server time minus local time, learnt from a clock-skew answer (as the SDK does). */
  private clockOffsetMs = 0;

  constructor(private readonly opts: QueryClientOptions) {
    this.http = new NodeHttpHandler({ connectionTimeout: opts.connectionTimeoutMs ?? 2000, requestTimeout: opts.requestTimeoutMs ?? 5000 });
    this.credentials = opts.credentials ?? defaultProvider();
    this.signer = new SignatureV4({ service: 'ec2', region: opts.region, credentials: this.credentials, sha256: Sha256 });
    this.retry = new StandardRetryStrategy(opts.maxAttempts ?? 4);
  }

  private url(): Promise<URL> {
    const { endpoint, region } = this.opts;
    this.endpoint ??= (endpoint !== undefined ? Promise.resolve(new URL(endpoint)) : resolveEc2Endpoint(region)).catch((e: unknown) => {
      this.endpoint = undefined; // a broken shared config file may be fixed: ask again next time
      throw e;
    });
    return this.endpoint;
  }

  /** One action, retried as the SDK's standard mode retries; resolves to the answer's root element. */
  async send(action: string, params: QueryParams): Promise<XmlNode> {
    const body = queryBody(action, params);
    let token = await this.retry.acquireInitialRetryToken('ec2');
    for (;;) {
      try {
        const out = await this.attempt(action, body);
        this.retry.recordSuccess(token);
        return out;
      } catch (e) {
        try {
          token = await this.retry.refreshRetryTokenForRetry(token, { errorType: errorType(e) });
        } catch {
          throw e;
        }
      }
    }
  }

  private async attempt(action: string, body: string): Promise<XmlNode> {
    const url = await this.url();
    const request = new HttpRequest({
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' ? { port: Number(url.port) } : {}),
      method: 'POST',
      path: url.pathname === '' ? '/' : url.pathname,
      headers: {
        host: url.host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        ...(this.opts.userAgent !== undefined ? { 'user-agent': this.opts.userAgent } : {}),
      },
      body,
    });
    const signed = await this.signer.sign(request, { signingDate: new Date(Date.now() + this.clockOffsetMs) });
    const { response } = await this.http.handle(signed as HttpRequest);
    const text = Buffer.from(await streamCollector(response.body as Readable)).toString('utf8');
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const { name, node } = parseXmlDocument(text);
      if (name !== `${action}Response`) throw new Ec2ServiceError('UnknownError', `${action}: unexpected answer <${name}>`, response.statusCode);
      return node;
    }
    const err = errorFromAnswer(response.statusCode, text);
    const date = response.headers['date'] ?? response.headers['Date'];
    if (date !== undefined && isClockSkewError(err as unknown as Parameters<typeof isClockSkewError>[0])) {
      const offset = Date.parse(date) - Date.now();
      if (Number.isFinite(offset) && Math.abs(offset - this.clockOffsetMs) >= SKEW_MS) {
        this.clockOffsetMs = offset;
        err.$metadata.clockSkewCorrected = true; // the SDK's rule: retried once the clock is corrected
      }
    }
    throw err;
  }

  destroy(): void {
    this.http.destroy();
  }
}

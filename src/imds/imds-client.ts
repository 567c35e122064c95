// A small IMDSv2 reader for the lifecycle poll: a session token (PUT
// /latest/api/token), kept until shortly before it expires, then GETs with it.
// The endpoint is resolved exactly as the AWS SDK resolves it
// (AWS_EC2_METADATA_SERVICE_ENDPOINT, ..._ENDPOINT_MODE, the config file),
// through the SDK's own resolver. Why not the SDK's MetadataService for a
// poll every few seconds: it builds a new HTTP handler with its own
// keep-alive agent for every request and never closes it, so each poll
// leaves sockets open until the server drops them (and kept the daemon from
// exiting for seconds). Here every request uses a connection of its own that
// is closed after the answer.
import { request } from 'node:http';
import { getInstanceMetadataEndpoint } from '@smithy/credential-provider-imds';
import type { MetadataReader } from './lifecycle.js';

/** Token lifetime asked for, and how long before its end a new one is fetched (seconds). */
const TOKEN_TTL_S = 21_600;
const TOKEN_MARGIN_S = 300;

/** A failed request; `$metadata.httpStatusCode` when the service answered (as the SDK's errors carry it). */
export class ImdsHttpError extends Error {
  readonly $metadata: { httpStatusCode?: number };
  constructor(
    message: string,
    status?: number,
    /** For an answer longer than MAX_BODY: its first characters and its whole length (it is read to the end, not kept). */
    readonly tooLarge?: { readonly head: string; readonly length: number },
  ) {
    super(message);
    this.name = 'ImdsHttpError';
    this.$metadata = status !== undefined ? { httpStatusCode: status } : {};
  }
}

/** Answers longer than this are not metadata. */
const MAX_BODY = 256 * 1024;

export class ImdsClient implements MetadataReader {
  private token: { value: string; until: number } | undefined;
  private endpoint: Promise<URL> | undefined;

  constructor(private readonly timeoutMs = 2000) {}

  async request(path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<string> {
    const base = await (this.endpoint ??= getInstanceMetadataEndpoint().then((e) => new URL(`${e.protocol}//${e.hostname}${e.port !== undefined ? `:${e.port}` : ''}`)));
    let token = await this.sessionToken(base);
    try {
      return await this.send(base, options.method ?? 'GET', path, { ...options.headers, 'x-aws-ec2-metadata-token': token });
    } catch (e) {
      // A token the service no longer accepts (401): one more try with a fresh one.
      if (!(e instanceof ImdsHttpError) || e.$metadata.httpStatusCode !== 401) throw e;
      this.token = undefined;
      token = await this.sessionToken(base);
      return this.send(base, options.method ?? 'GET', path, { ...options.headers, 'x-aws-ec2-metadata-token': token });
    }
  }

  private async sessionToken(base: URL): Promise<string> {
    const now = Date.now();
    if (this.token !== undefined && now < this.token.until) return this.token.value;
    let value: string;
    try {
      value = await this.send(base, 'PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_S) });
    } catch (e) {
      // Without its status: a token that cannot be had must never read as "this path is absent" (404).
      throw new ImdsHttpError(`no IMDSv2 session token: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.token = { value: value.trim(), until: now + (TOKEN_TTL_S - TOKEN_MARGIN_S) * 1000 };
    return this.token.value;
  }

  private send(base: URL, method: string, path: string, headers: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        { protocol: base.protocol, hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, method, path, headers, agent: false, timeout: this.timeoutMs },
        (res) => {
          let body = '';
          let length = 0;
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            length += d.length;
            if (body.length < MAX_BODY) body += d.slice(0, MAX_BODY - body.length);
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (length > MAX_BODY)
              reject(new ImdsHttpError(`${method} ${path}: an answer of ${length} characters (at most ${MAX_BODY} are read)`, status, { head: body.slice(0, 64), length }));
            else if (status === 200) resolve(body);
            else reject(new ImdsHttpError(`${method} ${path}: HTTP ${status}`, status));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new ImdsHttpError(`${method} ${path}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof ImdsHttpError ? e : new ImdsHttpError(`${method} ${path}: ${e.message}`)));
      req.end();
    });
  }
}

// http / https: one request on a fresh connection (no keep-alive pool, so
// nothing outlives the probe); the status must be accepted and, optionally,
// the body (read up to a bound) must contain a substring.
import http from 'node:http';
import https from 'node:https';
import type { TlsOptions } from '../../config/index.js';
import { HealthCode, excerpt, fail, pass, timeoutDetail } from '../result.js';
import type { Probe } from '../result.js';
import { withDeadline } from './deadline.js';
import { classifySocketError } from './socket-errors.js';
import type { Phase } from './socket-errors.js';
import { tlsClientOptions } from './tls-options.js';

export interface HttpProbeSpec {
  readonly port: number;
  readonly method: string;
  readonly path: string;
  /** undefined = any 2xx or 3xx. */
  readonly expectStatus?: readonly number[];
  readonly expect?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Present for https. */
  readonly tls?: TlsOptions;
}

/** At most this much of a body is read when looking for `expect`. */
export const MAX_BODY_BYTES = 64 * 1024;

export function statusAccepted(status: number, expectStatus: readonly number[] | undefined): boolean {
  return expectStatus === undefined ? status >= 200 && status < 400 : expectStatus.includes(status);
}

export function expectedStatusText(expectStatus: readonly number[] | undefined): string {
  return expectStatus === undefined ? '2xx/3xx' : expectStatus.join(' or ');
}

export function httpProbe(destination: string, spec: HttpProbeSpec, timeoutMs: number, maxBodyBytes = MAX_BODY_BYTES): Probe {
  const client = spec.tls !== undefined ? https : http;
  return (signal) =>
    withDeadline(signal, timeoutMs, ({ finish, elapsed }) => {
      let phase: Phase = 'connect';
      const req = client.request({
        host: destination,
        port: spec.port,
        method: spec.method,
        path: spec.path,
        headers: { 'user-agent': 'awsnycast-healthcheck', ...spec.headers },
        agent: false,
        ...(spec.tls !== undefined ? tlsClientOptions(spec.tls) : {}),
      });

      req.once('socket', (socket) => {
        socket.once('connect', () => {
          phase = spec.tls !== undefined ? 'tls' : 'exchange';
        });
        socket.once('secureConnect', () => {
          phase = 'exchange';
        });
      });
      req.on('error', (err) => {
        const c = classifySocketError(err, phase);
        finish(fail(c.code, elapsed(), c.detail));
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (!statusAccepted(status, spec.expectStatus)) {
          finish(fail(HealthCode.status, elapsed(), `status ${status} (expected ${expectedStatusText(spec.expectStatus)})`));
          return;
        }
        const expect = spec.expect;
        if (expect === undefined) {
          finish(pass(elapsed(), `status ${status}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const judge = (): void => {
          const body = Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8');
          if (body.includes(expect)) finish(pass(elapsed(), `status ${status}`));
          else finish(fail(HealthCode.expect, elapsed(), `expected ${excerpt(expect)} in body, got ${excerpt(body)}`));
        };
        res.on('data', (b: Buffer) => {
          chunks.push(b);
          size += b.length;
          // Stop reading as soon as the text is there or the bound is reached.
          if (size >= maxBodyBytes || Buffer.concat(chunks).includes(expect)) judge();
        });
        res.once('end', judge);
        res.once('error', (err) => {
          const c = classifySocketError(err, 'exchange');
          finish(fail(c.code, elapsed(), c.detail));
        });
      });
      req.end();
      return {
        onTimeout: () => fail(HealthCode.timeout, elapsed(), timeoutDetail(timeoutMs) + (phase === 'connect' ? ' (connect)' : '')),
        close: () => req.destroy(),
      };
    });
}

// tcp: connect to destination:port, optionally over TLS; optionally send a
// string, then optionally wait for a substring anywhere in what arrives
// before the timeout (not only in the first packet).
import net from 'node:net';
import tls from 'node:tls';
import type { TlsOptions } from '../../config/index.js';
import { HealthCode, excerpt, fail, pass, timeoutDetail } from '../result.js';
import type { Probe } from '../result.js';
import { withDeadline } from './deadline.js';
import { classifySocketError } from './socket-errors.js';
import type { Phase } from './socket-errors.js';
import { tlsClientOptions } from './tls-options.js';

export interface TcpProbeSpec {
  readonly port: number;
  readonly send?: string;
  readonly expect?: string;
  readonly tls?: TlsOptions;
}

/** How much received text is kept while looking for `expect`. */
export const MAX_EXPECT_BUFFER = 64 * 1024;

export function tcpProbe(destination: string, spec: TcpProbeSpec, timeoutMs: number): Probe {
  return (signal) =>
    withDeadline(signal, timeoutMs, ({ finish, elapsed }) => {
      let phase: Phase = 'connect';
      let received = '';
      const socket =
        spec.tls !== undefined
          ? tls.connect({ host: destination, port: spec.port, ...tlsClientOptions(spec.tls) })
          : net.connect({ host: destination, port: spec.port });

      const established = (): void => {
        phase = 'exchange';
        if (spec.send !== undefined && spec.send !== '') {
          socket.write(spec.send, () => {
            if (spec.expect === undefined) finish(pass(elapsed()));
          });
        } else if (spec.expect === undefined) {
          finish(pass(elapsed()));
        }
      };

      if (spec.expect !== undefined) socket.setEncoding('utf8');
      if (spec.tls !== undefined) {
        socket.once('connect', () => {
          phase = 'tls';
        });
        socket.once('secureConnect', established);
      } else {
        socket.once('connect', established);
      }
      socket.on('data', (chunk: string) => {
        if (spec.expect === undefined) return;
        received += chunk;
        if (received.length > MAX_EXPECT_BUFFER) received = received.slice(-MAX_EXPECT_BUFFER);
        if (received.includes(spec.expect)) finish(pass(elapsed()));
      });
      socket.once('end', () => {
        if (spec.expect !== undefined)
          finish(
            fail(
              HealthCode.expect,
              elapsed(),
              received === '' ? `expected ${excerpt(spec.expect)}, connection closed with no data` : `expected ${excerpt(spec.expect)}, got ${excerpt(received)}`,
            ),
          );
      });
      socket.on('error', (err) => {
        const c = classifySocketError(err, phase);
        finish(fail(c.code, elapsed(), c.detail));
      });
      return {
        onTimeout: () =>
          spec.expect !== undefined && received !== ''
            ? fail(HealthCode.expect, elapsed(), `expected ${excerpt(spec.expect)}, got ${excerpt(received)} (${timeoutDetail(timeoutMs)})`)
            : fail(HealthCode.timeout, elapsed(), timeoutDetail(timeoutMs) + (phase === 'connect' ? ' (connect)' : '')),
        close: () => socket.destroy(),
      };
    });
}

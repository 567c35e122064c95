// Turns a socket or TLS error into a stable code and a short detail.
import { HealthCode } from '../result.js';

/** Where the exchange was when it failed. */
export type Phase = 'connect' | 'tls' | 'exchange';

// OpenSSL verification results that node reports as error codes.
const TLS_VERIFY = /^(UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_|INVALID_PURPOSE|ERR_TLS_|ERR_SSL_)/;

export function classifySocketError(err: unknown, phase: Phase): { code: HealthCode; detail: string } {
  const e = err as NodeJS.ErrnoException & { library?: string; reason?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && TLS_VERIFY.test(code)) return { code: HealthCode.tls, detail: `tls ${code}` };
  if (e.library === 'SSL routines') return { code: HealthCode.tls, detail: `tls ${e.reason ?? code ?? 'handshake failed'}` };
  if (code === 'ECONNREFUSED') return { code: HealthCode.refused, detail: 'connect ECONNREFUSED' };
  const what = code ?? (e instanceof Error ? e.message : String(err));
  if (phase === 'connect') return { code: HealthCode.connect, detail: `connect ${what}` };
  // A reset or close in the middle of a handshake is a TLS failure (often a protocol mismatch).
  if (phase === 'tls') return { code: HealthCode.tls, detail: `tls handshake: ${what}` };
  return { code: HealthCode.connect, detail: `connection ${what}` };
}

// Node TLS client options from a check's TLS settings.
import type { ConnectionOptions } from 'node:tls';
import type { TlsOptions } from '../../config/index.js';

export function tlsClientOptions(tls: TlsOptions): ConnectionOptions {
  return {
    // cert / certPath replace the system roots, as in the original.
    ...(tls.caPem !== undefined ? { ca: tls.caPem } : {}),
    rejectUnauthorized: !tls.skipVerify,
    // SNI and the name the certificate must carry; without it the certificate is checked against the destination IP.
    ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
  };
}

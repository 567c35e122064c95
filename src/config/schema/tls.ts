// TLS settings of tcp (with ssl) and https checks. The CA certificate is
// read and parsed while the config loads, so a missing, broken or untrusted
// file is a config problem at its key, not a failing check later.
import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { ErrorCode } from '../codes.js';
import type { TlsOptions } from '../model.js';
import { readCertFile } from '../named-files.js';
import type { PartialCheck } from './shapes.js';
import { Fail, report } from './issues.js';
import { bool, leaf, text, typeFail } from './leaf.js';

/** PEM text of CA certificates, and where it came from (the resolved certPath, or "cert"). */
interface CaCerts {
  readonly pem: string;
  readonly source: string;
}

/** undefined when `pem` holds at least one certificate and every block parses. */
export function pemProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'does not hold a PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} of ${blocks.length} does not parse as X.509`;
    }
  }
  return undefined;
}

function caCerts(pem: string, source: string): CaCerts | Fail {
  const problem = pemProblem(pem);
  return problem === undefined ? { pem, source } : new Fail(ErrorCode.Cert, problem);
}

const certText = () => leaf<CaCerts>({ type: 'string' }, (v) => (typeof v === 'string' ? caCerts(v, 'cert') : typeFail('text', v)));

/**
 * Where a relative certPath is read from (the config file's folder), and
 * whether a CA file another user could change is refused unread (run, plan,
 * check; for validate it is read, and named-files.ts warns about it).
 */
export interface CertEnv {
  readonly baseDir: string;
  readonly trusted: boolean;
}

const certFile = (env: CertEnv) =>
  leaf<CaCerts>({ type: 'string' }, (v) => {
    if (typeof v !== 'string') return typeFail('text', v);
    const source = resolve(env.baseDir, v);
    const read = readCertFile(source, env.trusted);
    if ('error' in read) return new Fail(ErrorCode.Cert, read.error);
    if (!('pem' in read)) return new Fail(ErrorCode.Unsafe, read.unsafe);
    return caCerts(read.pem, source);
  });

export function tlsKeys(env: CertEnv) {
  return {
    cert: certText().optional().describe('PEM text of the CA certificate(s) to trust.'),
    certPath: certFile(env).optional().describe('File holding the PEM CA certificate(s) to trust; relative to the config file.'),
    skipVerify: bool().default(false).describe('Accept any certificate (no chain or name check).'),
    serverName: text().optional().describe('Name sent as SNI and checked against the certificate.'),
  };
}

/** cert and certPath are two ways to say one thing. */
export const oneCertSource: PartialCheck = (config, ctx) => {
  if (Object.hasOwn(config, 'cert') && Object.hasOwn(config, 'certPath'))
    report(ctx, ErrorCode.Value, 'set either cert or certPath, not both', { path: ['certPath'], at: 'key' });
};

export function tlsOf(c: { readonly cert?: CaCerts; readonly certPath?: CaCerts; readonly skipVerify: boolean; readonly serverName?: string }): TlsOptions {
  const ca = c.cert ?? c.certPath;
  return Object.freeze({
    ...(ca !== undefined ? { caPem: ca.pem, caSource: ca.source } : {}),
    skipVerify: c.skipVerify,
    ...(c.serverName !== undefined ? { serverName: c.serverName } : {}),
  });
}

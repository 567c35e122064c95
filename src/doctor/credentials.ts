// Which credentials the daemon's EC2 calls would use: resolved through the
// EC2 client's own provider (the SDK's default chain, exactly what the daemon
// gets), and where they came from. The SDK marks most providers' credentials
// with `$source` (feature ids such as CREDENTIALS_ENV_VARS); instance
// metadata, the chain's last link, marks none in this SDK release, so that
// source is inferred (nothing else marked them, no container endpoint is
// set, and metadata lists an instance profile role), and said to be.
import { fail, ok, warn, type CheckResult } from './report.js';

interface Resolved {
  readonly accessKeyId: string;
  readonly expiration?: Date;
  readonly $source?: Record<string, string>;
}

/** Where the credentials came from, from their `$source` marks and the environment; undefined when nothing says. */
export function sourceOf(marks: readonly string[], env: NodeJS.ProcessEnv, imdsRole: string | undefined): { source: string; inferred: boolean } | undefined {
  const has = (m: string): boolean => marks.includes(m);
  const profile = env.AWS_PROFILE ?? 'default';
  if (has('CREDENTIALS_ENV_VARS')) return { source: 'environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)', inferred: false };
  if (has('CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN') || has('CREDENTIALS_STS_ASSUME_ROLE_WEB_ID')) return { source: 'a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)', inferred: false };
  if (has('CREDENTIALS_PROFILE_SSO') || has('CREDENTIALS_SSO') || has('CREDENTIALS_PROFILE_SSO_LEGACY') || has('CREDENTIALS_SSO_LEGACY')) return { source: `AWS SSO through profile ${profile}`, inferred: false };
  if (has('CREDENTIALS_PROFILE_PROCESS') || has('CREDENTIALS_PROCESS')) return { source: `credential_process of profile ${profile}`, inferred: false };
  if (marks.some((m) => m.startsWith('CREDENTIALS_PROFILE'))) return { source: `the shared config/credentials files, profile ${profile}`, inferred: false };
  if (has('CREDENTIALS_HTTP')) return { source: 'the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*)', inferred: false };
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI !== undefined || env.AWS_CONTAINER_CREDENTIALS_FULL_URI !== undefined)
    return { source: 'the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*)', inferred: true };
  if (imdsRole !== undefined) return { source: `instance metadata: the instance profile role ${imdsRole}`, inferred: true };
  return undefined;
}

const shortKey = (id: string): string => (id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : id);

/** Resolves the EC2 client's credentials (`resolve`); `imdsRole` reads the instance profile role name from metadata, if any. */
export async function credentialsCheck(resolve: () => Promise<Resolved>, imdsRole: () => Promise<string | undefined>): Promise<CheckResult> {
  let creds: Resolved;
  try {
    creds = await resolve();
  } catch (e) {
    return fail(
      'credentials',
      `no credentials found: ${e instanceof Error ? e.message : String(e)}`,
      'attach an instance profile (an IAM role with the policy in docs/daemon.md, "IAM policy") to the instance: aws ec2 associate-iam-instance-profile --instance-id ID --iam-instance-profile Name=PROFILE',
    );
  }
  const marks = Object.keys(creds.$source ?? {});
  const role = marks.length === 0 ? await imdsRole().catch(() => undefined) : undefined;
  const found = sourceOf(marks, process.env, role);
  const key = `key ${shortKey(creds.accessKeyId)}${creds.expiration !== undefined ? `, expires ${creds.expiration.toISOString()}` : ''}`;
  if (found === undefined)
    return warn('credentials', `credentials found (${key}), provider unknown: the SDK marked no source and instance metadata lists no role`, 'none needed if these are the credentials you meant; the SDK\'s chain is: environment, shared files, web identity, container endpoint, instance metadata');
  return ok('credentials', `from ${found.source}${found.inferred ? ' (inferred: the SDK does not mark this source)' : ''}, ${key}`);
}

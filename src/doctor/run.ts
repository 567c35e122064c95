// `awsnycast doctor`: every check in order, each failure a result with its
// fix, never an exception. Reaches EC2 and instance metadata only the way the
// daemon does (the SDK adapter and the metadata clients, standard settings).
import { formatProblems, loadConfigFile, trustProblem } from '../config/index.js';
import type { Config } from '../config/model.js';
import { placeholderValues } from '../core/targets.js';
import { endpointHint } from '../daemon/startup.js';
import type { DryRunAnswer } from '../ec2/port.js';
import { SdkEc2 } from '../ec2/sdk-adapter.js';
import { MetadataError, fetchIdentity, type MetadataIdentity } from '../imds/identity.js';
import { ImdsClient } from '../imds/imds-client.js';
import { credentialsCheck } from './credentials.js';
import { forwardingCheck, pingCheck, routerRoutes, socketCheck } from './host-checks.js';
import { localAddresses, pingFamilies, pingLoopback, readForwarding, socketFacts } from './host.js';
import { ROUTE_ACTIONS, describeProbes, honoursDryRun, judge, notTried, routeProbes, type Probe } from './iam.js';
import { fail, ok, skipped, type CheckResult } from './report.js';
import { claimCheck, finderChecks, sourceDestCheck } from './world-checks.js';

const IMDS_FIX =
  'on the instance: metadata on with IMDSv2 (aws ec2 modify-instance-metadata-options --instance-id ID --http-endpoint enabled --http-tokens required); elsewhere AWS_EC2_METADATA_SERVICE_ENDPOINT names the endpoint';

function configChecks(file: string): { checks: CheckResult[]; config?: Config } {
  const r = loadConfigFile(file);
  if (!r.ok) {
    const lines = formatProblems(r.problems, 3);
    return { checks: [fail('config', `${r.problems.length} error(s): ${lines.join('; ')}`, `awsnycast validate -f ${file} lists every error with its line`)] };
  }
  const c = r.config;
  const routes = c.routeTables.reduce((n, t) => n + t.routes.length, 0);
  const checks = [ok('config', `${file} is valid: ${c.routeTables.length} route table entr${c.routeTables.length === 1 ? 'y' : 'ies'}, ${routes} route(s)`)];
  let unsafe: string | undefined;
  try {
    unsafe = trustProblem(file);
  } catch (e) {
    unsafe = `cannot be checked (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  const named = (r.warnings ?? []).map((w) => w.message);
  if (unsafe !== undefined || named.length > 0)
    checks.push(
      fail(
        'config-trust',
        `${[...(unsafe !== undefined ? [`${file}: ${unsafe}`] : []), ...named].join('; ')}; hooks run commands, so run refuses it (CFG_UNSAFE)`,
        'the file, the files it names and every directory above them owned by root (or the daemon\'s user) and not writable by group or others: chown root: FILE && chmod go-w FILE',
      ),
    );
  else checks.push(ok('config-trust', `${file}, its folders and the files it names pass the trust rule (owned by root or this user, not writable by others)`));
  return { checks, config: c };
}

async function identityChecks(imds: ImdsClient): Promise<{ checks: CheckResult[]; md?: MetadataIdentity }> {
  try {
    await imds.request('/latest/meta-data/instance-id');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { checks: [fail('imds', `instance metadata (IMDSv2) does not answer at ${imdsEndpoint()}: ${why}`, IMDS_FIX), skipped('identity', 'no instance metadata')] };
  }
  const checks = [ok('imds', `IMDSv2 answers at ${imdsEndpoint()} (session token, then reads)`)];
  try {
    const md = await fetchIdentity({ deadlineMs: 0, reader: imds });
    checks.push(ok('identity', `${md.instanceId} in ${md.az}, ${md.vpcId}, ${md.subnetId}, ${md.interfaces.length} interface(s)`));
    return { checks, md };
  } catch (e) {
    const why = e instanceof MetadataError || e instanceof Error ? e.message : String(e);
    checks.push(fail('identity', why, e instanceof MetadataError && e.code === 'IMDS_INVALID' ? 'metadata must come from this instance\'s own metadata service (AWS_EC2_METADATA_SERVICE_ENDPOINT unset on EC2)' : IMDS_FIX));
    return { checks };
  }
}

function imdsEndpoint(): string {
  const env = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  return env !== undefined && env !== '' ? `${env} (AWS_EC2_METADATA_SERVICE_ENDPOINT)` : 'http://169.254.169.254';
}

async function imdsRole(imds: ImdsClient): Promise<string | undefined> {
  const listing = (await imds.request('/latest/meta-data/iam/security-credentials/')).trim().split('\n')[0]?.trim();
  return listing !== undefined && listing !== '' ? listing.replace(/\/$/, '') : undefined;
}

/** The checks that need EC2: IAM (DryRun), our interface, the finders. */
async function ec2Checks(ec2: SdkEc2, config: Config, md: MetadataIdentity): Promise<CheckResult[]> {
  const values = placeholderValues({ ...md, networkInterfaceId: '', ownIps: [] });
  const out: CheckResult[] = [];
  const ask = async (probes: readonly Probe[]): Promise<{ probe: Probe; answer: DryRunAnswer }[]> => {
    const tried = [];
    for (const probe of probes) tried.push({ probe, answer: await ec2.dryRun(probe.call) });
    return tried;
  };
  const [head, ...rest] = describeProbes(config, md, values);
  const describes = await ask([head!]);
  const first = describes[0]!.answer;
  if (first.outcome === 'EC2_TRANSIENT' || first.outcome === 'EC2_THROTTLED') {
    const why = 'EC2 does not answer';
    return [
      fail('ec2', `EC2 does not answer at ${endpointHint()}: ${first.message}`, 'check the network path to the EC2 endpoint (security group, NACL, VPC endpoint, proxy) and AWS_ENDPOINT_URL_EC2'),
      skipped('iam', why),
      skipped('source-dest-check', why),
      skipped('finders', why),
    ];
  }
  describes.push(...(await ask(rest)));
  for (const action of [...new Set(describes.map((d) => d.probe.call.action))]) out.push(judge(action, describes.filter((d) => d.probe.call.action === action), md.region));

  let tables, interfaces;
  try {
    tables = await ec2.describeRouteTables({});
    interfaces = await ec2.describeNetworkInterfaces({ instanceId: md.instanceId });
  } catch (e) {
    out.push(fail('ec2-read', `reading the route tables and interfaces failed: ${e instanceof Error ? e.message : String(e)}`, 'see the iam: lines above; the daemon makes the same calls'));
    const why = 'the route tables and interfaces could not be read';
    out.push(skipped('source-dest-check', why), ...ROUTE_ACTIONS.map((a) => skipped(`iam:${a}`, why)), skipped('finders', why));
    return out;
  }
  const sdc = sourceDestCheck(md.instanceId, interfaces);
  out.push(sdc.check);
  const primary = [...md.interfaces].sort((a, b) => a.deviceNumber - b.deviceNumber)[0]?.interfaceId;
  const eni = sdc.eni ?? primary ?? interfaces[0]?.id;
  const finders = finderChecks(config, tables, md.vpcId, values);
  if (eni !== undefined && honoursDryRun(first)) {
    const probes = routeProbes(finders.matched, eni);
    for (const action of ROUTE_ACTIONS)
      out.push(probes[action].length > 0 ? judge(action, await ask(probes[action]), md.region) : skipped(`iam:${action}`, 'no finder matched a route table to try it on'));
  } else {
    const why = eni === undefined ? 'no interface of this instance is known' : `the DryRun of DescribeRouteTables answered ${first.awsCode}, so it is not known that this endpoint honours DryRun (a route change must never be sent without it)`;
    for (const action of ROUTE_ACTIONS) out.push(notTried(action, why));
  }
  out.push(...finders.checks, claimCheck(finders.matched));
  return out;
}

async function hostChecks(config: Config): Promise<CheckResult[]> {
  const routers = routerRoutes(config, localAddresses());
  const out = [forwardingCheck(4, routers.v4, readForwarding(4))];
  if (config.routeTables.some((t) => t.routes.some((r) => r.family === 6))) out.push(forwardingCheck(6, routers.v6, readForwarding(6)));
  const families = pingFamilies(config);
  out.push(pingCheck(families.size > 0, families.size > 0 ? await pingLoopback(families) : []));
  out.push(socketCheck(socketFacts(config.statusSocket), process.getuid?.()));
  return out;
}

/** A check group that threw (a bug: every expected failure is a result) becomes a fail line instead of a crash. */
async function guarded(id: string, fn: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await fn();
  } catch (e) {
    return [fail(id, `could not be checked: ${e instanceof Error ? e.message : String(e)}`, 'this is a bug in awsnycast doctor: please report it with this line')];
  }
}

export async function runDoctor(file: string): Promise<CheckResult[]> {
  const imds = new ImdsClient(2000);
  let md: MetadataIdentity | undefined;
  const out = await guarded('imds', async () => {
    const r = await identityChecks(imds);
    md = r.md;
    return r.checks;
  });
  out.push(md !== undefined ? ok('region', `${md.region} (instance metadata); EC2 calls go to ${endpointHint()}`) : skipped('region', 'no instance metadata'));
  // Without metadata there is no region; the client then only resolves the credentials, which need none.
  const envRegion = process.env.AWS_REGION;
  const ec2 = new SdkEc2({ region: md?.region ?? (envRegion !== undefined && envRegion !== '' ? envRegion : 'us-east-1'), maxAttempts: 2 });
  try {
    const [creds] = await guarded('credentials', async () => [await credentialsCheck(() => ec2.client.credentials(), () => imdsRole(imds))]);
    out.push(creds!);
    const { checks, config } = configChecks(file);
    out.push(...checks);
    if (config === undefined) out.push(skipped('iam', 'the config is not valid'), skipped('finders', 'the config is not valid'), skipped('host', 'the config is not valid'));
    else {
      const me = md;
      if (me === undefined) out.push(skipped('iam', 'no instance metadata (region, instance, VPC)'), skipped('finders', 'no instance metadata (VPC)'));
      else if (creds!.status === 'fail') out.push(skipped('iam', 'no credentials'), skipped('finders', 'no credentials'));
      else out.push(...(await guarded('ec2', () => ec2Checks(ec2, config, me))));
      out.push(...(await guarded('host', () => hostChecks(config))));
    }
  } finally {
    ec2.destroy();
  }
  return out;
}

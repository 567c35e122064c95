// Where EC2 requests go, resolved from the same standard settings, in the same
// order, as the AWS SDK for JavaScript v3 resolves them for EC2:
//   1. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or `ignore_configured_endpoint_urls`
//      in the shared config file) turns 2-4 off;
//   2. AWS_ENDPOINT_URL_EC2, then AWS_ENDPOINT_URL;
//   3. the profile's `services` section, key `ec2.endpoint_url`;
//   4. the profile's `endpoint_url`;
//   5. otherwise AWS's regional endpoint for EC2, with AWS_USE_FIPS_ENDPOINT /
//      AWS_USE_DUALSTACK_ENDPOINT (or `use_fips_endpoint` / `use_dualstack_endpoint`).
// AWS's page: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
// The regional rule for 5 is checked against the SDK's own EC2 endpoint rule
// set in query.test.ts, for every partition.
import { partition } from '@aws-sdk/core/client';
import {
  CONFIG_PREFIX_SEPARATOR,
  NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS,
  NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS,
  SelectorType,
  booleanSelector,
  loadConfig,
} from '@smithy/core/config';

type Env = Record<string, string | undefined>;
type Profile = Record<string, string | undefined>;

const configuredUrl = {
  environmentVariableSelector: (env: Env): string | undefined => env['AWS_ENDPOINT_URL_EC2'] || env['AWS_ENDPOINT_URL'] || undefined,
  configFileSelector: (profile: Profile, config?: Record<string, Profile>): string | undefined => {
    if (profile['services'] !== undefined) {
      const section = config?.[['services', profile['services']].join(CONFIG_PREFIX_SEPARATOR)];
      if (section === undefined) throw new Error(`the services section "${profile['services']}" named in the AWS profile is not in the shared config file`);
      const url = section[['ec2', 'endpoint_url'].join(CONFIG_PREFIX_SEPARATOR)];
      if (url) return url;
    }
    return profile['endpoint_url'] || undefined;
  },
  default: undefined,
};

const ignoreConfigured = {
  environmentVariableSelector: (env: Env): boolean | undefined => booleanSelector(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', SelectorType.ENV),
  configFileSelector: (profile: Profile): boolean | undefined => booleanSelector(profile, 'ignore_configured_endpoint_urls', SelectorType.CONFIG),
  default: false,
};

/** AWS's regional EC2 endpoint for `region` (rule 5 above). */
export function regionalEndpoint(region: string, fips: boolean, dualStack: boolean): string {
  const p = partition(region);
  if (fips && dualStack) return `https://ec2-fips.${region}.${p.dualStackDnsSuffix}`;
  if (fips) return p.name === 'aws-us-gov' ? `https://ec2.${region}.${p.dnsSuffix}` : `https://ec2-fips.${region}.${p.dnsSuffix}`;
  if (dualStack) return `https://ec2.${region}.${p.dualStackDnsSuffix}`;
  return `https://ec2.${region}.${p.dnsSuffix}`;
}

/** The EC2 endpoint URL for `region`, by the rules above. */
export async function resolveEc2Endpoint(region: string): Promise<URL> {
  const ignore = await loadConfig(ignoreConfigured)();
  const configured = ignore ? undefined : await loadConfig<string | undefined>(configuredUrl)();
  if (configured !== undefined) return new URL(configured);
  const fips = await loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS)();
  const dualStack = await loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS)();
  return new URL(regionalEndpoint(region, fips === true, dualStack === true));
}

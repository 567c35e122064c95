// Plain values the planner's tests share: who "we" are and the check verdicts.
import type { CheckView, Identity } from './types.js';

export const ME: Identity = { instanceId: 'i-0000000a', az: 'eu-west-1a', region: 'eu-west-1', vpcId: 'vpc-1', subnetId: 'subnet-a', networkInterfaceId: 'eni-a', ownIps: ['127.0.1.10'] };
export const HEALTHY: CheckView = { healthy: true, decided: true };
export const UNHEALTHY: CheckView = { healthy: false, decided: true };
export const UNDECIDED: CheckView = { healthy: false, decided: false };

/** A config with one route, 0.0.0.0/0 in the table tagged Name=private, gated by the `internet` check; `extra` adds keys to the route (`, if_unhealthy: true`). */
export const oneRoute = (extra: string): string => `healthchecks:
  internet: {type: ping, destination: 127.0.0.1, every: 1}
remote_healthchecks:
  peer: {type: ping, every: 1}
routetables:
  t:
    find: {type: by_tag, config: {key: Name, value: private}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: internet${extra}}
`;

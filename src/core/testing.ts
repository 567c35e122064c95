// Plain values the planner's tests share: who "we" are and the check verdicts.
import type { CheckView, Identity } from './types.js';

export const ME: Identity = { instanceId: 'i-0000000a', az: 'eu-west-1a', region: 'eu-west-1', vpcId: 'vpc-1', subnetId: 'subnet-a', networkInterfaceId: 'eni-a', ownIps: ['127.0.1.10'] };
export const HEALTHY: CheckView = { healthy: true, decided: true };
export const UNHEALTHY: CheckView = { healthy: false, decided: true };
export const UNDECIDED: CheckView = { healthy: false, decided: false };

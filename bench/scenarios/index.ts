// Every benchmark scenario, in the order a run takes them (docs/benchmarks.md
// describes each). Times come from the simulator's mutation log (wallMs) where
// the simulator sees both the fault and the fix, otherwise from this process's clock.
import type { Scenario } from '../scenario.js';
import { apiCost } from './api-cost.js';
import { failoverRemote } from './failover-remote.js';
import { failoverTerminated } from './failover-terminated.js';
import { fleet } from './fleet.js';
import { handoff } from './handoff.js';
import { footprint } from './footprint.js';
import { planScale } from './plan-scale.js';
import { race } from './race.js';

export const SCENARIOS: readonly Scenario[] = [failoverRemote, failoverTerminated, race, handoff, apiCost, planScale, footprint, fleet];

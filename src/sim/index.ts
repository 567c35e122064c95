// The simulator's public surface for tests, end-to-end tests and benchmarks.
export { startSimulator } from './simulator.js';
export type {
  InstanceInfo,
  InterfaceInfo,
  RouteSnapshot,
  RouteTableSnapshot,
  Simulator,
  SimulatorOptions,
  StateChange,
} from './simulator-api.js';
export { ManualClock, realClock, type Clock } from './clock.js';
export type { FaultSettings, DeepPartial } from './faults.js';
export type { CountersSnapshot } from './counters.js';
export type { DenyRule } from './deny.js';
export type { RecordedRequest } from './requests.js';
export type { Mutation, MutationQuery, RouteMutation, InstanceMutation, ResourceMutation, TargetView } from './mutations.js';
export type { Timing } from './timing.js';
export { loadWorldFile, parseWorld, WorldError, formatWorldProblem, type World, type WorldInput, type WorldProblem } from './world.js';

// The simulator's public surface for tests, end-to-end tests and benchmarks.
export { startSimulator } from './simulator.js';
export type {
  InstanceInfo,
  InterfaceInfo,
  MutationQuery,
  RouteSnapshot,
  RouteTableSnapshot,
  Simulator,
  SimulatorOptions,
  StateChange,
} from './simulator.js';
export { ManualClock, realClock, type Clock } from './clock.js';
export type { FaultSettings, DeepPartial } from './faults.js';
export type { CountersSnapshot } from './counters.js';
export type { RecordedRequest } from './requests.js';
export type { Mutation, RouteMutation, InstanceMutation, ResourceMutation, TargetView, Timing } from './state.js';
export { loadWorldFile, parseWorld, WorldError, formatWorldProblem, type World, type WorldInput, type WorldProblem } from './world.js';

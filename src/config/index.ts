// The config loader's public face.
export { loadConfigFile, loadConfigText, formatProblem, formatProblems, formatPath, pemProblem } from './load.js';
export { LIMITS } from './limits.js';
export type { ConfigProblem, LoadResult } from './load.js';
export { DEFAULTS, toFinder } from './model.js';
export type { CheckSpec, ChildInherit, Config, FinderSpec, ProbeSpec, RouteSpec, RouteTableSpec, TlsOptions, RouteHookName } from './model.js';
export { ErrorCode, CHECK_TYPES, FINDER_TYPES, ROUTE_HOOKS, configJsonSchema } from './schema.js';
export { trustProblem } from './permissions.js';
export { PLACEHOLDERS, substitute, parseCidr, isIp } from './values.js';
export type { PlaceholderValues, PlaceholderName } from './values.js';

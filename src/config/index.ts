// The config loader's public face.
export { ErrorCode } from './codes.js';
export { loadConfigFile, loadConfigText } from './load.js';
export type { LoadResult } from './load.js';
export { LIMITS } from './limits.js';
export { CHECK_TYPES, DEFAULTS, FINDER_TYPES, ROUTE_HOOKS } from './model.js';
export type { CheckSpec, ChildInherit, Config, FinderSpec, ProbeSpec, RouteSpec, RouteTableSpec, TlsOptions, RouteHookName } from './model.js';
export { trustProblem } from './permissions.js';
export { formatPath, formatProblem, formatProblems } from './problems.js';
export type { ConfigProblem } from './problems.js';
export { configJsonSchema } from './schema/json-schema.js';
export { pemProblem } from './schema/tls.js';
export { PLACEHOLDERS, substitute } from './values.js';
export type { PlaceholderValues, PlaceholderName } from './values.js';

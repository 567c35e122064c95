// The logging shape the health layer needs: pino-compatible methods that take
// structured fields first. The daemon passes a pino child logger; tests and
// the CLI may pass nothing and get silence.

export interface Logger {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
  /** pino's level test; when present, per-probe debug fields are only built if debug is on. */
  isLevelEnabled?(level: string): boolean;
}

const noop = (): void => undefined;

export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop, isLevelEnabled: () => false });

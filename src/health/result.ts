// What one probe run produces, and the stable codes that classify it. Tests
// and callers match on `code`; `detail` is for people and may be reworded.

export const HealthCode = {
  /** The probe passed. */
  ok: 'HC_OK',
  /** No answer (or not the whole answer) before the check's timeout. */
  timeout: 'HC_TIMEOUT',
  /** The destination actively refused the connection. */
  refused: 'HC_REFUSED',
  /** Any other failure to connect: unreachable network or host, reset, ... */
  connect: 'HC_CONNECT',
  /** The TLS handshake failed: untrusted certificate, name mismatch, protocol error. */
  tls: 'HC_TLS',
  /** Connected, but the expected text did not arrive. */
  expect: 'HC_EXPECT',
  /** An HTTP answer with a status that the check does not accept. */
  status: 'HC_STATUS',
  /** A command (or ping) exited with a non-zero status. */
  exit: 'HC_EXIT',
  /** ping got no echo reply. */
  noReply: 'HC_NO_REPLY',
  /** A command could not be started at all (not found, not executable). */
  spawn: 'HC_SPAWN',
  /** The previous probe of this check was still running when the next turn came. */
  overrun: 'HC_OVERRUN',
  /** The check was stopped while the probe ran. */
  aborted: 'HC_ABORTED',
  /** A bug or an unexpected exception inside a probe. */
  internal: 'HC_INTERNAL',
} as const;

export type HealthCode = (typeof HealthCode)[keyof typeof HealthCode];

export interface ProbeResult {
  readonly ok: boolean;
  readonly code: HealthCode;
  /** Milliseconds from the start of the probe to its verdict (monotonic clock). */
  readonly latencyMs: number;
  /** Short, human-readable: "connect ECONNREFUSED", "timeout after 400 ms", "status 503 (expected 2xx/3xx)". */
  readonly detail: string;
}

/**
 * One run of a check against its destination. It must settle by itself
 * within the check's timeout (plus scheduling noise), close everything it
 * opened, and settle promptly with `HC_ABORTED` when `signal` fires. It
 * never rejects.
 */
export type Probe = ((signal: AbortSignal) => Promise<ProbeResult>) & {
  /** Ends anything the probe keeps between runs (a long-lived ping process); called when its check stops. */
  close?: () => void;
};

export function pass(latencyMs: number, detail = 'ok'): ProbeResult {
  return { ok: true, code: HealthCode.ok, latencyMs, detail };
}

export function fail(code: HealthCode, latencyMs: number, detail: string): ProbeResult {
  return { ok: false, code, latencyMs, detail };
}

/** Milliseconds, rounded to 0.1 ms, as shown in results. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A quoted, shortened, single-line view of received text for failure details. */
export function excerpt(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `'${flat.length > max ? flat.slice(0, max) + '…' : flat}'`;
}

/** Seconds as whole milliseconds, for "timeout after 400 ms". */
export function timeoutDetail(timeoutMs: number): string {
  return `timeout after ${Math.round(timeoutMs)} ms`;
}

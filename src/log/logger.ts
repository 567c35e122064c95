// Structured logs (pino): JSON lines, or a readable line per event on a
// terminal; optionally copied to the local syslog through util-linux's
// `logger`. Child loggers carry {routeTable, cidr} or {check}.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';

export type LogFormat = 'auto' | 'text' | 'json';
export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly debug?: boolean;
  readonly syslog?: boolean;
  /** Where lines go; default process.stderr. */
  readonly stream?: NodeJS.WritableStream;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// syslog priorities (facility daemon = 3 << 3) by pino level.
const SYSLOG_PRIO: Record<number, number> = { 10: 31, 20: 31, 30: 30, 40: 28, 50: 27, 60: 26 };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

// A message or field may carry text we do not control (a hook's stderr, an
// instance-metadata value): a newline in it must not start a forged log line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;
const escapeControl = (s: string): string =>
  s.replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

function fieldText(v: unknown): string {
  // JSON.stringify escapes C0 controls but not U+2028/U+2029/U+0085.
  // eslint-disable-next-line no-control-regex
  if (typeof v === 'string') return /[\s"=\u0000-\u001f\u007f\u0085]/.test(v) ? escapeControl(JSON.stringify(v)) : v;
  return escapeControl(JSON.stringify(v) ?? String(v));
}

/** One JSON log record as a readable line: `TIME LEVEL message key=value ...`. */
export function textLine(rec: Record<string, unknown>): string {
  const level = LEVEL_NAMES[rec.level as number] ?? String(rec.level);
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString() : '';
  const fields = Object.entries(rec)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${escapeControl(k)}=${fieldText(v)}`)
    .join(' ');
  return `${time} ${level.padEnd(5)} ${typeof rec.msg === 'string' ? escapeControl(rec.msg) : ''}${fields ? ' ' + fields : ''}`;
}

class Destination extends Writable {
  private syslog: ChildProcess | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly text: boolean,
    syslog: boolean,
  ) {
    super({ decodeStrings: false });
    if (syslog) {
      this.syslog = spawn('logger', ['--prio-prefix', '-t', 'awsnycast'], { stdio: ['pipe', 'ignore', 'ignore'] });
      this.syslog.on('error', () => {
        this.syslog = undefined;
        this.out.write('awsnycast: -syslog: cannot run `logger` (util-linux); logging to stderr only\n');
      });
      this.syslog.stdin?.on('error', () => undefined);
    }
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    const line = chunk.toString();
    let rec: Record<string, unknown> | undefined;
    if (this.text || this.syslog !== undefined) {
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        rec = undefined;
      }
    }
    this.out.write(this.text && rec !== undefined ? textLine(rec) + '\n' : line);
    if (this.syslog?.stdin !== undefined && this.syslog.stdin !== null && rec !== undefined) {
      const prio = SYSLOG_PRIO[rec.level as number] ?? 30;
      this.syslog.stdin.write(`<${prio}>${textLine({ ...rec, time: undefined }).trim()}\n`);
    }
    done();
  }

  override _final(done: (e?: Error | null) => void): void {
    this.syslog?.stdin?.end();
    done();
  }
}

export interface LogHandle {
  readonly log: Logger;
  /** Ends the syslog pipe (if any), so the process can exit. */
  close(): void;
}

export function createLogger(opts: LoggerOptions = {}): LogHandle {
  const out = opts.stream ?? process.stderr;
  const format = opts.format ?? 'auto';
  const text = format === 'text' || (format === 'auto' && (out as { isTTY?: boolean }).isTTY === true);
  const dest = new Destination(out, text, opts.syslog === true);
  const log = pino({ level: opts.debug === true ? 'debug' : 'info', base: undefined, timestamp: pino.stdTimeFunctions.epochTime }, dest);
  return { log, close: () => dest.end() };
}

/** A logger that drops everything (tests, commands that print their own output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

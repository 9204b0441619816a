/**
 * Structured logs: one JSON object per line on stderr (stdout carries only the machine-readable
 * output). The level comes from `IROH_TS_LOG` (`error`, `warn`, `info` or `debug`; default `info`).
 */

/** Log severities, least to most verbose. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A structured logger. */
export interface Logger {
  /** Something failed. */
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Something is off, but the app carries on. */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** What the app is doing (shown by default). */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Details (shown with `IROH_TS_LOG=debug`). */
  debug(msg: string, fields?: Record<string, unknown>): void;
}

function parseLevel(value: string | undefined): LogLevel {
  return value === 'error' || value === 'warn' || value === 'debug' ? value : 'info';
}

/** A logger writing `{"ts","level","app","msg",…fields}` lines to stderr; errors are written as their message. */
export function createLogger(app: string, level: LogLevel = parseLevel(process.env.IROH_TS_LOG)): Logger {
  const max = RANK[level];
  const log = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    if (RANK[lvl] > max) return;
    const record: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, app, msg };
    for (const [k, v] of Object.entries(fields)) record[k] = v instanceof Error ? v.message : v;
    process.stderr.write(
      `${JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
    );
  };
  return {
    error: (msg, f) => log('error', msg, f),
    warn: (msg, f) => log('warn', msg, f),
    info: (msg, f) => log('info', msg, f),
    debug: (msg, f) => log('debug', msg, f),
  };
}

/**
 * The server's structured log hook. Nothing is printed unless a logger is given.
 *
 * @module
 */

/** Severity of a log record. */
export type RelayLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A structured log record. */
export interface RelayLogRecord {
  /** Severity. */
  readonly level: RelayLogLevel;
  /** What happened, a short constant phrase (e.g. `client closed`). */
  readonly msg: string;
  /** Context: endpoint id (short), connection id, reason, … */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Receives log records; must not throw. */
export type RelayLogger = (record: RelayLogRecord) => void;

/** A logger that drops everything. */
export const silentLogger: RelayLogger = () => {};

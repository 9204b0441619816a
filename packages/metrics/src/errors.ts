/**
 * Machine-readable reason carried by every {@link MetricsError}.
 *
 * - `INVALID_NAME`: a group, metric or prefix name is not an identifier
 *   (`[a-zA-Z_][a-zA-Z0-9_]*`).
 * - `INVALID_LABEL_NAME`: a label name is not an identifier, starts with the
 *   reserved `__`, or is `le` (reserved for histogram buckets).
 * - `INVALID_TEXT`: help text or a label value is not well-formed Unicode
 *   (it contains a lone surrogate, which cannot be encoded as UTF-8).
 * - `DUPLICATE_METRIC`: two metrics would produce the same sample name with
 *   the same label set (within a group, or across one registry tree).
 * - `DUPLICATE_LABEL`: a sub-registry repeats a label name it inherited.
 * - `INVALID_BUCKETS`: histogram bucket bounds are not strictly increasing
 *   numbers.
 * - `INVALID_VALUE`: an increment is not a non-negative integer, or a gauge
 *   value is not an integer.
 * - `GROUP_SEALED`: a metric was added to a group after it was registered.
 */
export type MetricsErrorCode =
  | 'INVALID_NAME'
  | 'INVALID_LABEL_NAME'
  | 'INVALID_TEXT'
  | 'DUPLICATE_METRIC'
  | 'DUPLICATE_LABEL'
  | 'INVALID_BUCKETS'
  | 'INVALID_VALUE'
  | 'GROUP_SEALED';

/**
 * The one error type thrown by this package. Branch on {@link MetricsError.code}
 * rather than on the message, which is for humans and may change.
 */
export class MetricsError extends Error {
  /** Why the operation was rejected. */
  readonly code: MetricsErrorCode;

  /**
   * @param code - Machine-readable reason.
   * @param message - Human-readable description.
   */
  constructor(code: MetricsErrorCode, message: string) {
    super(message);
    this.name = 'MetricsError';
    this.code = code;
  }
}

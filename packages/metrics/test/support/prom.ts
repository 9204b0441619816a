import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

/**
 * Parses our output with parse-prometheus-text-format, a parser for the
 * classic Prometheus text format (0.0.4).
 *
 * Two OpenMetrics features of iroh's output meet that parser:
 * - `# EOF` needs nothing: to the classic format it is an ordinary comment,
 *   which the parser skips.
 * - Counters: OpenMetrics names the family `x` on `# HELP`/`# TYPE` and the
 *   sample `x_total`; the classic format uses one name, `x_total`, for both.
 *   Fed as is, the parser splits them into a typed family `x` with no samples
 *   and an untyped family `x_total` (see the parse test that pins this). So we
 *   feed it the classic equivalent: a counter's `# HELP`/`# TYPE` lines are
 *   renamed to the name its sample line actually carries. Nothing else changes.
 */
export function parseAsClassic(text: string): ParsedFamily[] {
  return parsePrometheusTextFormat(toClassic(text));
}

/** Renames each counter family on its HELP/TYPE lines to the name of its first sample. */
export function toClassic(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const type = /^# TYPE (\S+) counter$/.exec(lines[i] ?? '');
    if (type === null) continue;
    const family = type[1] as string;
    const sample = /^[^{ ]+/.exec(lines[i + 1] ?? '')?.[0];
    if (sample === undefined || sample === family) continue;
    lines[i] = `# TYPE ${sample} counter`;
    const help = lines[i - 1] ?? '';
    if (help.startsWith(`# HELP ${family} `)) {
      lines[i - 1] = `# HELP ${sample} ${help.slice(`# HELP ${family} `.length)}`;
    }
  }
  return lines.join('\n');
}

/** Reads a sample value as the text format defines it (`+Inf`, `-Inf`, `NaN` or a float). */
export function parseValue(text: string | undefined): number {
  if (text === undefined) throw new Error('missing value');
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^-?\d+(\.\d+)?(e-?\d+)?$/.test(text)) throw new Error(`not a number: ${text}`);
  return Number(text);
}

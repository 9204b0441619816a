// Text-level pieces of the exposition format: escaping and number formatting.

/**
 * Escapes a label value: backslash, double quote and line feed become `\\`,
 * `\"` and `\n`. Every other character is written as is.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/**
 * Renders help text for a `# HELP` line, as iroh-metrics does: backslash and
 * line feed are escaped (`\\`, `\n`), double quotes are left alone (the rule
 * of the Prometheus 0.0.4 text format, whose parsers reject `\"` in help), and
 * a `.` is appended unless the text, ignoring trailing line feeds, already
 * ends with `.`, `?` or `!`.
 */
export function renderHelp(help: string): string {
  const escaped = help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
  const last = help.replace(/\n+$/, '').at(-1);
  return last === '.' || last === '?' || last === '!' ? escaped : `${escaped}.`;
}

/**
 * Formats a float the way Rust's `ryu` crate (used by iroh-metrics) does, so
 * bucket bounds and sums match byte for byte: the shortest digits that
 * round-trip, always with a `.0` or an exponent for integral values (`1.0`,
 * `100.0`, `1e16`), plain decimals down to `0.00001`, and `1e-6` below.
 * Non-finite values are written `+Inf`, `-Inf` and `NaN` as the text format
 * spells them (ryu itself would write `inf`).
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  // `String(x)` yields the shortest round-tripping digits (ECMA-262
  // Number::toString), possibly with a decimal point and/or an exponent.
  const [mantissa = '', exp = '0'] = String(Math.abs(v)).split('e');
  const dot = mantissa.indexOf('.');
  let digits = mantissa.replace('.', '');
  // Position of the decimal point relative to the start of `digits`.
  let point = (dot === -1 ? mantissa.length : dot) + Number(exp);
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading).replace(/0+$/, '');
  point -= leading;
  // Now v = 0.<digits> × 10^point, i.e. 10^(point-1) <= v < 10^point.
  const length = digits.length;
  const k = point - length;
  let body: string;
  if (k >= 0 && point <= 16) {
    body = `${digits}${'0'.repeat(k)}.0`;
  } else if (point > 0 && point <= 16) {
    body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  } else if (point > -5 && point <= 0) {
    body = `0.${'0'.repeat(-point)}${digits}`;
  } else if (length === 1) {
    body = `${digits}e${point - 1}`;
  } else {
    body = `${digits[0]}.${digits.slice(1)}e${point - 1}`;
  }
  return sign + body;
}

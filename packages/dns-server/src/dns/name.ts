/**
 * Domain names. A {@link Name} is the list of its labels, most specific first, without the root label. Each
 * label is a "binary string": one UTF-16 code unit per byte (0–255), so labels survive a round trip through
 * the wire format unchanged and can be used as `Map` keys. Comparisons ignore ASCII case only (RFC 4343).
 */
import { DnsError } from './errors.js';

/** A domain name as its labels, most specific first, root label omitted. `[]` is the root. */
export type Name = readonly string[];

/** Longest label, in bytes (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63;
/** Longest name on the wire, in bytes, including length octets and the root label. */
export const MAX_NAME_LENGTH = 255;

const encoder = new TextEncoder();

/** Lowercases ASCII letters only (RFC 4343); other bytes are kept. */
export function asciiLower(label: string): string {
  let i = 0;
  for (; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) break;
  }
  if (i === label.length) return label;
  let out = label.slice(0, i);
  for (; i < label.length; i++) {
    const c = label.charCodeAt(i);
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : label[i];
  }
  return out;
}

/** The wire length of a name: one length octet per label, the labels, and the root octet. */
export function wireLength(name: Name): number {
  let n = 1;
  for (const label of name) n += 1 + label.length;
  return n;
}

/** Checks label and name lengths. @throws {@link DnsError} `LabelTooLong`, `NameTooLong` or `InvalidName`. */
export function assertValidName(name: Name): void {
  for (const label of name) {
    if (label.length === 0) throw new DnsError('InvalidName', 'empty label in a domain name');
    if (label.length > MAX_LABEL_LENGTH) {
      throw new DnsError('LabelTooLong', `label of ${label.length} bytes exceeds ${MAX_LABEL_LENGTH}`);
    }
    for (let i = 0; i < label.length; i++) {
      if (label.charCodeAt(i) > 0xff) throw new DnsError('InvalidName', 'label is not a byte string');
    }
  }
  if (wireLength(name) > MAX_NAME_LENGTH) {
    throw new DnsError('NameTooLong', `name exceeds ${MAX_NAME_LENGTH} bytes`);
  }
}

function bytesToBinary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/**
 * Parses a name in presentation form: labels separated by `.`, an optional trailing `.`, `\.` for a literal
 * dot, `\\` for a backslash and `\DDD` for any byte. Non-ASCII text is encoded as UTF-8. `""`, `"."` and
 * `"@"`-free input only: no origin is applied.
 *
 * @throws {@link DnsError} `InvalidName`, `LabelTooLong` or `NameTooLong`.
 */
export function parseName(text: string): Name {
  if (text === '' || text === '.') return [];
  const labels: string[] = [];
  let current = '';
  let i = 0;
  const bytes = encoder.encode(text);
  const src = bytesToBinary(bytes);
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\') {
      const next = src.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(next)) {
        const v = Number(next);
        if (v > 255) throw new DnsError('InvalidName', `invalid escape \\${next}`);
        current += String.fromCharCode(v);
        i += 4;
        continue;
      }
      if (i + 1 >= src.length) throw new DnsError('InvalidName', 'dangling backslash in name');
      current += src[i + 1];
      i += 2;
      continue;
    }
    if (ch === '.') {
      if (current.length === 0) throw new DnsError('InvalidName', `empty label in ${JSON.stringify(text)}`);
      labels.push(current);
      current = '';
      i++;
      if (i === src.length) break;
      continue;
    }
    current += ch;
    i++;
  }
  if (current.length > 0) labels.push(current);
  assertValidName(labels);
  return labels;
}

function escapeLabel(label: string): string {
  let out = '';
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x2e || c === 0x5c) out += `\\${label[i]}`;
    else if (c > 0x20 && c < 0x7f) out += label[i];
    else out += `\\${String(c).padStart(3, '0')}`;
  }
  return out;
}

/** Presentation form with a trailing dot (`_iroh.abc.example.`); the root is `.`. */
export function nameToString(name: Name): string {
  if (name.length === 0) return '.';
  let s = '';
  for (const label of name) s += `${escapeLabel(label)}.`;
  return s;
}

/** Presentation form without the trailing dot, as relative names are written (`_iroh.abc`). */
export function nameToRelativeString(name: Name): string {
  const s = nameToString(name);
  return s === '.' ? '' : s.slice(0, -1);
}

/** True when both names are equal ignoring ASCII case. */
export function nameEquals(a: Name, b: Name): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && asciiLower(a[i]!) !== asciiLower(b[i]!)) return false;
  }
  return true;
}

/** True when `suffix` is `name` or one of its ancestors (a DNS "zone of" check), ignoring ASCII case. */
export function isSubdomainOf(name: Name, suffix: Name): boolean {
  const off = name.length - suffix.length;
  if (off < 0) return false;
  for (let i = 0; i < suffix.length; i++) {
    const a = name[off + i]!;
    const b = suffix[i]!;
    if (a !== b && asciiLower(a) !== asciiLower(b)) return false;
  }
  return true;
}

/** The name with every label lowercased (ASCII only). */
export function lowerName(name: Name): Name {
  return name.map(asciiLower);
}

/** Builds a name from UTF-8 text labels, e.g. `nameFromLabels(['_iroh', z32])`. @throws {@link DnsError} */
export function nameFromLabels(labels: readonly string[]): Name {
  const out = labels.map((l) => bytesToBinary(encoder.encode(l)));
  assertValidName(out);
  return out;
}

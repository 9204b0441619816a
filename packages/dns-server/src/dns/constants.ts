/**
 * DNS numbers used by iroh-ts: record types, classes, response codes and header flags (RFC 1035, 3596,
 * 2782, 6891).
 */

/** Record types we name. Any other 16-bit value is carried as raw data. */
export const RecordType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  SVCB: 64,
  HTTPS: 65,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

/** A record type name we know. */
export type RecordTypeName = keyof typeof RecordType;

const TYPE_NAMES = new Map<number, RecordTypeName>(
  Object.entries(RecordType).map(([k, v]) => [v, k as RecordTypeName]),
);

/** The mnemonic of a record type (`TXT`), or `TYPE<n>` (RFC 3597) for one we do not name. */
export function recordTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

/**
 * Parses a record type given as a mnemonic (any case), `TYPE<n>` or a decimal number.
 *
 * @returns the type, or `undefined` when the text is not a record type.
 */
export function parseRecordType(text: string): number | undefined {
  if (/^[0-9]{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 0xffff ? n : undefined;
  }
  const upper = text.toUpperCase();
  if (Object.hasOwn(RecordType, upper)) return RecordType[upper as RecordTypeName];
  const m = /^TYPE([0-9]{1,5})$/.exec(upper);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  return undefined;
}

/** Record classes. */
export const RecordClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

/** Response codes (the 4-bit header RCODE). */
export const Rcode = {
  NoError: 0,
  FormErr: 1,
  ServFail: 2,
  NXDomain: 3,
  NotImp: 4,
  Refused: 5,
} as const;

/** Header flag bits (the 16-bit word after the ID). */
export const Flags = {
  /** Query/response: set in responses. */
  QR: 0x8000,
  /** Authoritative answer. */
  AA: 0x0400,
  /** Truncated. */
  TC: 0x0200,
  /** Recursion desired. */
  RD: 0x0100,
  /** Recursion available. */
  RA: 0x0080,
  /** Authentic data (DNSSEC). */
  AD: 0x0020,
  /** Checking disabled (DNSSEC). */
  CD: 0x0010,
} as const;

/** The opcode field of a header flags word. */
export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

/** The response code field of a header flags word. */
export function rcodeOf(flags: number): number {
  return flags & 0xf;
}

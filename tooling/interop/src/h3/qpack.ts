/**
 * A minimal QPACK (RFC 9204) for HTTP/3 interop tests: static table only. We advertise
 * SETTINGS_QPACK_MAX_TABLE_CAPACITY = 0, so a conforming peer never references a dynamic table; field
 * sections that do (Required Insert Count > 0, dynamic or post-base references) are rejected. The
 * encoder uses indexed field lines and literals with static name references where the static table
 * has them, else literals with literal names, never Huffman. The decoder accepts every static-table
 * representation, with or without Huffman-coded strings.
 */
import { huffmanDecode } from './huffman.js';
import { concat } from './varint.js';

/** One field line: lower-case name and value. */
export type Field = readonly [name: string, value: string];

/** The QPACK static table (RFC 9204 Appendix A), index 0..98. */
export const STATIC_TABLE: readonly Field[] = [
  [':authority', ''],
  [':path', '/'],
  ['age', '0'],
  ['content-disposition', ''],
  ['content-length', '0'],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['referer', ''],
  ['set-cookie', ''],
  [':method', 'CONNECT'],
  [':method', 'DELETE'],
  [':method', 'GET'],
  [':method', 'HEAD'],
  [':method', 'OPTIONS'],
  [':method', 'POST'],
  [':method', 'PUT'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '103'],
  [':status', '200'],
  [':status', '304'],
  [':status', '404'],
  [':status', '503'],
  ['accept', '*/*'],
  ['accept', 'application/dns-message'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-ranges', 'bytes'],
  ['access-control-allow-headers', 'cache-control'],
  ['access-control-allow-headers', 'content-type'],
  ['access-control-allow-origin', '*'],
  ['cache-control', 'max-age=0'],
  ['cache-control', 'max-age=2592000'],
  ['cache-control', 'max-age=604800'],
  ['cache-control', 'no-cache'],
  ['cache-control', 'no-store'],
  ['cache-control', 'public, max-age=31536000'],
  ['content-encoding', 'br'],
  ['content-encoding', 'gzip'],
  ['content-type', 'application/dns-message'],
  ['content-type', 'application/javascript'],
  ['content-type', 'application/json'],
  ['content-type', 'application/x-www-form-urlencoded'],
  ['content-type', 'image/gif'],
  ['content-type', 'image/jpeg'],
  ['content-type', 'image/png'],
  ['content-type', 'text/css'],
  ['content-type', 'text/html; charset=utf-8'],
  ['content-type', 'text/plain'],
  ['content-type', 'text/plain;charset=utf-8'],
  ['range', 'bytes=0-'],
  ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'],
  ['vary', 'accept-encoding'],
  ['vary', 'origin'],
  ['x-content-type-options', 'nosniff'],
  ['x-xss-protection', '1; mode=block'],
  [':status', '100'],
  [':status', '204'],
  [':status', '206'],
  [':status', '302'],
  [':status', '400'],
  [':status', '403'],
  [':status', '421'],
  [':status', '425'],
  [':status', '500'],
  ['accept-language', ''],
  ['access-control-allow-credentials', 'FALSE'],
  ['access-control-allow-credentials', 'TRUE'],
  ['access-control-allow-headers', '*'],
  ['access-control-allow-methods', 'get'],
  ['access-control-allow-methods', 'get, post, options'],
  ['access-control-allow-methods', 'options'],
  ['access-control-expose-headers', 'content-length'],
  ['access-control-request-headers', 'content-type'],
  ['access-control-request-method', 'get'],
  ['access-control-request-method', 'post'],
  ['alt-svc', 'clear'],
  ['authorization', ''],
  ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
  ['early-data', '1'],
  ['expect-ct', ''],
  ['forwarded', ''],
  ['if-range', ''],
  ['origin', ''],
  ['purpose', 'prefetch'],
  ['server', ''],
  ['timing-allow-origin', '*'],
  ['upgrade-insecure-requests', '1'],
  ['user-agent', ''],
  ['x-forwarded-for', ''],
  ['x-frame-options', 'deny'],
  ['x-frame-options', 'sameorigin'],
];

/** A QPACK decompression failure (HTTP/3 error QPACK_DECOMPRESSION_FAILED, 0x200). */
export class QpackError extends Error {
  override readonly name = 'QpackError';
}

const utf8 = new TextEncoder();
const latin1 = new TextDecoder('latin1');

/** Encodes an integer with an N-bit prefix (RFC 7541 §5.1); `flags` fills the bits above the prefix. */
export function encodePrefixInt(value: number, prefixBits: number, flags: number): Uint8Array {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Uint8Array.of(flags | value);
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** A cursor over a field section. */
class Reader {
  at = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  peek(): number {
    if (this.done) throw new QpackError('truncated field section');
    return this.buf[this.at]!;
  }

  /** Decodes an integer with an N-bit prefix starting at the current byte (RFC 7541 §5.1). */
  prefixInt(prefixBits: number): number {
    const max = (1 << prefixBits) - 1;
    let value = this.peek() & max;
    this.at++;
    if (value < max) return value;
    let scale = 1;
    for (;;) {
      const b = this.peek();
      this.at++;
      value += (b & 0x7f) * scale;
      if (value > Number.MAX_SAFE_INTEGER) throw new QpackError('integer overflow');
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
  }

  /** A string literal whose H flag sits just above an N-bit length prefix (RFC 9204 §4.1.2). */
  string(prefixBits: number): string {
    const huffman = (this.peek() & (1 << prefixBits)) !== 0;
    const length = this.prefixInt(prefixBits);
    if (this.at + length > this.buf.length) throw new QpackError('truncated string literal');
    const raw = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    try {
      return latin1.decode(huffman ? huffmanDecode(raw) : raw);
    } catch (e) {
      throw new QpackError(`bad Huffman string: ${(e as Error).message}`);
    }
  }
}

function staticEntry(index: number): Field {
  const f = STATIC_TABLE[index];
  if (f === undefined) throw new QpackError(`static table index ${index} out of range`);
  return f;
}

/** Decodes an encoded field section (the payload of a HEADERS frame). */
export function decodeFieldSection(block: Uint8Array): Field[] {
  const r = new Reader(block);
  const requiredInsertCount = r.prefixInt(8);
  r.prefixInt(7); // sign bit and Delta Base: meaningless without a dynamic table
  if (requiredInsertCount !== 0) {
    throw new QpackError(`Required Insert Count ${requiredInsertCount} but our dynamic table capacity is 0`);
  }
  const fields: Field[] = [];
  while (!r.done) {
    const b = r.peek();
    if (b & 0x80) {
      // Indexed Field Line: 1 T index(6)
      if ((b & 0x40) === 0) throw new QpackError('indexed field line references the dynamic table');
      fields.push(staticEntry(r.prefixInt(6)));
    } else if (b & 0x40) {
      // Literal Field Line with Name Reference: 0 1 N T index(4), value
      if ((b & 0x10) === 0) throw new QpackError('literal name reference into the dynamic table');
      const name = staticEntry(r.prefixInt(4))[0];
      fields.push([name, r.string(7)]);
    } else if (b & 0x20) {
      // Literal Field Line with Literal Name: 0 0 1 N H length(3), name, value
      const name = r.string(3);
      fields.push([name, r.string(7)]);
    } else {
      // 0001xxxx Indexed Field Line with Post-Base Index, 0000xxxx Literal with Post-Base Name Reference
      throw new QpackError('post-base reference into the dynamic table');
    }
  }
  return fields;
}

function stringLiteral(value: string, prefixBits: number, flags: number): Uint8Array {
  const bytes = utf8.encode(value);
  return concat([encodePrefixInt(bytes.length, prefixBits, flags), bytes]);
}

/** Encodes a field section with static-table references only (no Huffman). */
export function encodeFieldSection(fields: readonly Field[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x00, 0x00)]; // Required Insert Count 0, Base 0
  for (const [name, value] of fields) {
    const exact = STATIC_TABLE.findIndex(([n, v]) => n === name && v === value);
    if (exact >= 0) {
      parts.push(encodePrefixInt(exact, 6, 0xc0));
      continue;
    }
    const named = STATIC_TABLE.findIndex(([n]) => n === name);
    if (named >= 0) {
      parts.push(encodePrefixInt(named, 4, 0x50), stringLiteral(value, 7, 0x00));
    } else {
      parts.push(stringLiteral(name, 3, 0x20), stringLiteral(value, 7, 0x00));
    }
  }
  return concat(parts);
}

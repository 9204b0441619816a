/**
 * The checks that make verification "strict" in ed25519-dalek's sense (`verify_strict`, which iroh uses),
 * on top of the RFC 8032 equation: `s` must be canonical (below the group order L), and neither the
 * public key A nor the signature's R may be a small-order point. Small-order points are recognised by
 * their encodings: every 32-byte string that lenient decoding maps to a point of order 1, 2, 4 or 8.
 */
const P = (1n << 255n) - 19n;
/** Group order L of Ed25519's prime-order subgroup. */
export const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

// y-coordinates of the 8 torsion points: identity (1), order 2 (-1), order 4 (0), order 8 (two values).
const Y8 = 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n;
const TORSION_Y = [1n, P - 1n, 0n, Y8, P - Y8];

function encodeY(y: bigint, sign: boolean): Uint8Array {
  const out = new Uint8Array(32);
  let v = y;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (sign) out[31]! |= 0x80;
  return out;
}

function key(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Every encoding that decodes (leniently) to a small-order point: 5 y values and 2 non-canonical ones (y + p < 2^255), each with both sign bits. */
export const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [...TORSION_Y, P, P + 1n].flatMap((y) => [
  encodeY(y, false),
  encodeY(y, true),
]);
const SMALL_ORDER = new Set(SMALL_ORDER_ENCODINGS.map(key));

/** True when `encoding` (32 bytes) decodes to a point of small order. */
export function isSmallOrderEncoding(encoding: Uint8Array): boolean {
  return SMALL_ORDER.has(key(encoding));
}

/** True when the 32-byte scalar `s` (little-endian) is below the group order L. */
export function isCanonicalScalar(s: Uint8Array): boolean {
  // Fast path: L's top byte is 0x10; anything with a top byte below it is canonical, above it is not.
  const top = s[31]!;
  if (top < 0x10) return true;
  if (top > 0x10) return false;
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(s[i]!);
  return n < GROUP_ORDER;
}

/** True when the encoded y-coordinate (sign bit ignored) is below p. */
export function isCanonicalPointEncoding(encoding: Uint8Array): boolean {
  if ((encoding[31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (encoding[i] !== 0xff) return true;
  return encoding[0]! < 0xed;
}

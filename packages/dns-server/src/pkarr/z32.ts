/**
 * z-base-32 of a 32-byte key, built as one flat string (no rope of concatenations), because servers keep a
 * key string per stored packet. Same output as `z32Encode` from `@iroh-ts/base`.
 */
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));

/** z-base-32 (unpadded) of `bytes`, as a flat string. */
export function z32Flat(bytes: Uint8Array): string {
  const out: number[] = new Array(Math.ceil((bytes.length * 8) / 5));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[o++] = CODES[(acc >> bits) & 31]!;
    }
  }
  if (bits > 0) out[o++] = CODES[(acc << (5 - bits)) & 31]!;
  return String.fromCharCode(...out);
}

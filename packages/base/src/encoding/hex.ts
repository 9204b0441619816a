import { DecodeError } from '../errors.js';

const HEX_CHARS = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_CHARS[i >> 4]! + HEX_CHARS[i & 15]!);

/** Encodes bytes as lowercase hex. */
export function hexEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!]!;
  return out;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return -1;
}

/**
 * Decodes lowercase hex, as iroh's `HEXLOWER` does: uppercase digits are rejected.
 *
 * @throws {@link DecodeError} on an odd length or a character outside `0-9a-f`.
 */
export function hexDecode(text: string): Uint8Array {
  if (text.length % 2 !== 0) {
    throw new DecodeError('InvalidLength', `hex input has odd length ${text.length}`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      const pos = hi < 0 ? 2 * i : 2 * i + 1;
      throw new DecodeError(
        'InvalidCharacter',
        `invalid lowercase hex character ${JSON.stringify(text[pos])} at ${pos}`,
      );
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

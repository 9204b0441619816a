/**
 * The three base32 flavours iroh uses, all unpadded:
 * - RFC 4648 base32, lowercase (tickets, `EndpointId` parsing);
 * - RFC 4648 base32hex, lowercase (the `<id>.iroh.invalid` TLS server name);
 * - z-base-32 (pkarr and DNS names).
 *
 * Encoding and decoding go through `multiformats`; we validate first so that bad input gets a precise,
 * typed {@link DecodeError} and so that only the canonical form is accepted (no padding, no non-zero
 * trailing bits), as Rust's `data-encoding` does.
 */
import { base32, base32hex, base32z } from 'multiformats/bases/base32';
import { DecodeError } from '../errors.js';

interface Codec {
  readonly name: string;
  readonly alphabet: string;
  baseEncode(bytes: Uint8Array): string;
  baseDecode(text: string): Uint8Array;
}

const RFC4648: Codec = { name: 'base32', alphabet: 'abcdefghijklmnopqrstuvwxyz234567', ...bind(base32) };
const HEX: Codec = { name: 'base32hex', alphabet: '0123456789abcdefghijklmnopqrstuv', ...bind(base32hex) };
const Z: Codec = { name: 'z-base-32', alphabet: 'ybndrfg8ejkmcpqxot1uwisza345h769', ...bind(base32z) };

function bind(b: { baseEncode(bytes: Uint8Array): string; baseDecode(text: string): Uint8Array }) {
  return { baseEncode: (x: Uint8Array) => b.baseEncode(x), baseDecode: (t: string) => b.baseDecode(t) };
}

/** Lengths (mod 8) that an unpadded base32 string can have. */
const VALID_TAIL = new Set([0, 2, 4, 5, 7]);

function decodeWith(codec: Codec, text: string, caseInsensitive: boolean): Uint8Array {
  const input = caseInsensitive ? text.toLowerCase() : text;
  for (let i = 0; i < input.length; i++) {
    if (!codec.alphabet.includes(input[i]!)) {
      const what = input[i] === '=' ? 'padding' : `character ${JSON.stringify(text[i])}`;
      throw new DecodeError(
        input[i] === '=' ? 'InvalidPadding' : 'InvalidCharacter',
        `invalid ${codec.name} ${what} at ${i}`,
      );
    }
  }
  if (!VALID_TAIL.has(input.length % 8)) {
    throw new DecodeError('InvalidLength', `invalid ${codec.name} length ${input.length}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = codec.baseDecode(input);
  } catch {
    throw new DecodeError('NonCanonical', `${codec.name} input has non-zero trailing bits`);
  }
  if (codec.baseEncode(bytes) !== input) {
    throw new DecodeError('NonCanonical', `${codec.name} input has non-zero trailing bits`);
  }
  return bytes;
}

/** RFC 4648 base32, lowercase, no padding. */
export function base32Encode(bytes: Uint8Array): string {
  return RFC4648.baseEncode(bytes);
}

/**
 * Decodes RFC 4648 base32 without padding. Case-insensitive, like iroh (which uppercases first).
 *
 * @throws {@link DecodeError}
 */
export function base32Decode(text: string): Uint8Array {
  return decodeWith(RFC4648, text, true);
}

/** RFC 4648 base32hex (`0-9a-v`), lowercase, no padding: iroh's `BASE32_DNSSEC`. */
export function base32HexEncode(bytes: Uint8Array): string {
  return HEX.baseEncode(bytes);
}

/**
 * Decodes lowercase base32hex without padding.
 *
 * @throws {@link DecodeError}
 */
export function base32HexDecode(text: string): Uint8Array {
  return decodeWith(HEX, text, false);
}

/** z-base-32 (alphabet `ybndrfg8ejkmcpqxot1uwisza345h769`), no padding. */
export function z32Encode(bytes: Uint8Array): string {
  return Z.baseEncode(bytes);
}

/**
 * Decodes z-base-32. Case-sensitive: z-base-32 is defined in lowercase.
 *
 * @throws {@link DecodeError}
 */
export function z32Decode(text: string): Uint8Array {
  return decodeWith(Z, text, false);
}

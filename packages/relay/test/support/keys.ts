import { SecretKey } from '@iroh-ts/base';

/** A deterministic secret key whose seed is 32 × `byte`. */
export function fixedKey(byte: number): SecretKey {
  return SecretKey.fromBytes(new Uint8Array(32).fill(byte));
}

/** 32 bytes that are not an Ed25519 point (y = 2). */
export const NOT_A_POINT: Uint8Array = (() => {
  const b = new Uint8Array(32);
  b[0] = 2;
  return b;
})();

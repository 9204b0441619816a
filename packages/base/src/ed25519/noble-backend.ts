import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../encoding/bytes.js';
import type { Ed25519Backend } from './backend.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/**
 * Cofactorless verification with lenient point decoding, the way ed25519-dalek's `verify_strict` computes
 * it: `R' = [s]B - [k]A` with `k = SHA-512(R || A || M) mod L`, then `encode(R') == R`.
 */
export function nobleVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  let A: InstanceType<typeof Point>;
  try {
    A = Point.fromBytes(publicKey, true);
  } catch {
    return false;
  }
  const R = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32, 64));
  if (s >= L) return false;
  const h = sha512.create().update(R).update(publicKey).update(message).digest();
  const k = bytesToNumberLE(h) % L;
  const sB = s === 0n ? Point.ZERO : Point.BASE.multiply(s);
  const kA = k === 0n ? Point.ZERO : A.multiplyUnsafe(k);
  return equalBytes(sB.subtract(kA).toBytes(), R);
}

/** The pure-JS backend built on @noble/curves. */
export const backend: Ed25519Backend = {
  name: '@noble/curves',
  signer(seed) {
    const secret = seed.slice();
    return {
      publicKey: ed25519.getPublicKey(secret),
      sign: (message) => ed25519.sign(message, secret),
    };
  },
  verifier(publicKey) {
    const key = publicKey.slice();
    return (message, signature) => nobleVerify(key, message, signature);
  },
};

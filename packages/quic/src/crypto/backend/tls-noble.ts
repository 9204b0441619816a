/**
 * Pure-JS handshake primitives for browsers: @noble/hashes for SHA-2/HMAC and @noble/curves for ECDHE.
 * There is no X.509 validation and no PKCS#8 signing here yet, so this backend supports iroh's
 * raw-public-key handshakes only (Ed25519 itself goes through `@iroh-ts/base`).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import type { EphemeralKeyPair, RandomBytes, TlsBackend } from '../tls/backend.js';
import { SHA256, SHA384 } from '../tls/key-schedule.js';

const X25519 = 0x001d;
const SECP256R1 = 0x0017;
const SECP384R1 = 0x0018;

function allZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

function x25519Pair(random: RandomBytes): EphemeralKeyPair {
  const secret = random(32).slice();
  return {
    group: X25519,
    publicKey: x25519.getPublicKey(secret),
    agree(peer) {
      if (peer.length !== 32) return undefined;
      try {
        const shared = x25519.getSharedSecret(secret, peer);
        return allZero(shared) ? undefined : shared;
      } catch {
        return undefined;
      }
    },
  };
}

function nistPair(group: number, curve: typeof p256, size: number, random: RandomBytes): EphemeralKeyPair {
  let secret = random(size).slice();
  for (let attempt = 0; !curve.utils.isValidSecretKey(secret); attempt++) {
    if (attempt >= 16) throw new Error('random source keeps returning invalid ECDH keys');
    secret = random(size).slice();
  }
  const pointLength = 1 + 2 * size;
  return {
    group,
    publicKey: curve.getPublicKey(secret, false),
    agree(peer) {
      if (peer.length !== pointLength || peer[0] !== 4) return undefined;
      try {
        // The shared point, uncompressed: 0x04 || x || y; TLS uses x (RFC 8446 §7.4.2).
        return curve.getSharedSecret(secret, peer, false).slice(1, 1 + size);
      } catch {
        return undefined;
      }
    },
  };
}

/** @noble handshake primitives (raw-public-key mode only). */
export const tlsBackend: TlsBackend = {
  name: '@noble',
  hash: (name) => (name === 'sha384' ? SHA384 : SHA256),
  groups: [X25519, SECP256R1, SECP384R1],
  keyPair(group, random) {
    if (group === X25519) return x25519Pair(random);
    if (group === SECP256R1) return nistPair(group, p256, 32, random);
    if (group === SECP384R1) return nistPair(group, p384, 48, random);
    return undefined;
  },
  verifySignature: () => undefined,
  pkcs8Signer: () => undefined,
  x509: undefined,
};

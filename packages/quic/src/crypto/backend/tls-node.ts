/**
 * node:crypto (OpenSSL) implementation of the TLS handshake primitives. Keys are imported as JWK where
 * possible: OpenSSL 3's DER decoders cost hundreds of microseconds per key, JWK import a few.
 */
import {
  constants,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type Hash,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { secureRandom } from '@iroh-ts/base';
import type { EphemeralKeyPair, Pkcs8Signer, RandomBytes, TlsBackend } from '../tls/backend.js';
import type { HashAlg, HashState } from '../tls/key-schedule.js';
import { x509Verifier } from './tls-node-x509.js';

const toU8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const b64url = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

function nodeState(h: Hash): HashState {
  return {
    update: (data) => void h.update(data),
    digest: () => toU8(h.copy().digest()),
    clone: () => nodeState(h.copy()),
  };
}

function nodeHash(name: 'sha256' | 'sha384', outputLength: number): HashAlg {
  return {
    name,
    outputLength,
    hash: (data) => toU8(createHash(name).update(data).digest()),
    hmac: (key, data) => toU8(createHmac(name, key).update(data).digest()),
    create: () => nodeState(createHash(name)),
  };
}

const SHA256 = nodeHash('sha256', 32);
const SHA384 = nodeHash('sha384', 48);

const X25519 = 0x001d;
const SECP256R1 = 0x0017;
const SECP384R1 = 0x0018;

// PKCS#8 wrapping of a raw X25519 private key (RFC 8410), for the slow fallback import.
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
// A JWK private OKP key must carry an `x`; OpenSSL derives the real one from `d`, we read that back.
const PLACEHOLDER_X = 'A'.repeat(43);

function importX25519Private(d: Uint8Array): KeyObject {
  try {
    return createPrivateKey({
      key: { kty: 'OKP', crv: 'X25519', d: b64url(d), x: PLACEHOLDER_X },
      format: 'jwk',
    });
  } catch {
    const der = new Uint8Array(X25519_PKCS8_PREFIX.length + 32);
    der.set(X25519_PKCS8_PREFIX);
    der.set(d, X25519_PKCS8_PREFIX.length);
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  }
}

interface X25519Key {
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;
}

function x25519Key(privateKey: KeyObject): X25519Key {
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('node:crypto did not export an X25519 public key');
  return { privateKey, publicKey: toU8(Buffer.from(x, 'base64url')) };
}

// One ephemeral key made ahead of need, after the event-loop turn that used the previous one, so that
// key generation is off a handshake's critical path. Every key is still used for one handshake only.
let spareX25519: X25519Key | undefined;
let refillScheduled = false;

function refillSpare(): void {
  refillScheduled = false;
  spareX25519 ??= x25519Key(generateKeyPairSync('x25519').privateKey);
}

function freshX25519(): X25519Key {
  const key = spareX25519 ?? x25519Key(generateKeyPairSync('x25519').privateKey);
  spareX25519 = undefined;
  if (!refillScheduled) {
    refillScheduled = true;
    setImmediate(refillSpare).unref();
  }
  return key;
}

function x25519Pair(random: RandomBytes): EphemeralKeyPair {
  // With the platform CSPRNG as the source, OpenSSL makes the key (half the cost of importing one,
  // which derives the public key again). Injected sources (deterministic tests) are imported.
  const { privateKey, publicKey: ownPublic } =
    random === secureRandom ? freshX25519() : x25519Key(importX25519Private(random(32)));
  return {
    group: X25519,
    publicKey: ownPublic,
    agree(peer) {
      if (peer.length !== 32) return undefined;
      try {
        const publicKey = createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: b64url(peer) },
          format: 'jwk',
        });
        // OpenSSL refuses an all-zero output (a small-order peer value), which RFC 8446 §7.4.2 forbids too.
        return toU8(diffieHellman({ privateKey, publicKey }));
      } catch {
        return undefined;
      }
    },
  };
}

function ecdhPair(group: number, curve: string, size: number, random: RandomBytes): EphemeralKeyPair {
  const ecdh = createECDH(curve);
  for (let attempt = 0; ; attempt++) {
    try {
      ecdh.setPrivateKey(random(size));
      break;
    } catch (e) {
      // Zero or not below the group order: astronomically rare with real randomness.
      if (attempt >= 16) throw e;
    }
  }
  const pointLength = 1 + 2 * size;
  return {
    group,
    publicKey: toU8(ecdh.getPublicKey()),
    agree(peer) {
      // TLS 1.3 allows only the uncompressed form (RFC 8446 §4.2.8.2).
      if (peer.length !== pointLength || peer[0] !== 4) return undefined;
      try {
        return toU8(ecdh.computeSecret(peer));
      } catch {
        return undefined;
      }
    },
  };
}

type VerifyParams = { hash: string | null; curve?: string; type: string; padding?: 'pss' | 'pkcs1' };

/** How each TLS signature scheme maps onto node:crypto (RFC 8446 §4.2.3). */
const SCHEMES: ReadonlyMap<number, VerifyParams> = new Map([
  [0x0403, { hash: 'sha256', type: 'ec', curve: 'prime256v1' }],
  [0x0503, { hash: 'sha384', type: 'ec', curve: 'secp384r1' }],
  [0x0603, { hash: 'sha512', type: 'ec', curve: 'secp521r1' }],
  [0x0804, { hash: 'sha256', type: 'rsa', padding: 'pss' }],
  [0x0805, { hash: 'sha384', type: 'rsa', padding: 'pss' }],
  [0x0806, { hash: 'sha512', type: 'rsa', padding: 'pss' }],
  [0x0809, { hash: 'sha256', type: 'rsa-pss', padding: 'pss' }],
  [0x080a, { hash: 'sha384', type: 'rsa-pss', padding: 'pss' }],
  [0x080b, { hash: 'sha512', type: 'rsa-pss', padding: 'pss' }],
  [0x0401, { hash: 'sha256', type: 'rsa', padding: 'pkcs1' }],
  [0x0501, { hash: 'sha384', type: 'rsa', padding: 'pkcs1' }],
  [0x0601, { hash: 'sha512', type: 'rsa', padding: 'pkcs1' }],
  [0x0807, { hash: null, type: 'ed25519' }],
] satisfies [number, VerifyParams][]);

const HASH_LENGTH: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64 };

function keyMatches(key: KeyObject, p: VerifyParams): boolean {
  if (key.asymmetricKeyType !== p.type) return false;
  return p.curve === undefined || key.asymmetricKeyDetails?.namedCurve === p.curve;
}

function keyInput(key: KeyObject, p: VerifyParams) {
  if (p.type === 'ec') return { key, dsaEncoding: 'der' as const };
  if (p.padding === 'pss') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LENGTH[p.hash ?? ''] ?? 32 };
  }
  if (p.padding === 'pkcs1') return { key, padding: constants.RSA_PKCS1_PADDING };
  return { key };
}

function verifySignature(spki: Uint8Array, scheme: number, message: Uint8Array, signature: Uint8Array) {
  const p = SCHEMES.get(scheme);
  if (p === undefined) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  if (!keyMatches(key, p)) return undefined;
  try {
    return verify(p.hash, message, keyInput(key, p), signature);
  } catch {
    return false;
  }
}

function pkcs8Signer(pkcs8: Uint8Array): Pkcs8Signer | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
  const schemes = [...SCHEMES]
    .filter(([, p]) => keyMatches(key, p) && p.padding !== 'pkcs1')
    .map(([code]) => code);
  if (schemes.length === 0) return undefined;
  return {
    schemes,
    sign(scheme, message) {
      const p = SCHEMES.get(scheme);
      if (p === undefined || !schemes.includes(scheme)) throw new RangeError(`cannot sign with ${scheme}`);
      // ECDSA nonces come from OpenSSL's CSPRNG (node:crypto has no deterministic ECDSA).
      return toU8(sign(p.hash, message, keyInput(key, p)));
    },
  };
}

/** node:crypto handshake primitives. */
export const tlsBackend: TlsBackend = {
  name: 'node:crypto',
  hash: (name) => (name === 'sha384' ? SHA384 : SHA256),
  groups: [X25519, SECP256R1, SECP384R1],
  keyPair(group, random) {
    if (group === X25519) return x25519Pair(random);
    if (group === SECP256R1) return ecdhPair(group, 'prime256v1', 32, random);
    if (group === SECP384R1) return ecdhPair(group, 'secp384r1', 48, random);
    return undefined;
  },
  verifySignature,
  pkcs8Signer,
  x509: x509Verifier,
};

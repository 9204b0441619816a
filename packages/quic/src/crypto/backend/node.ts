import { type CipherGCMTypes, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { AEAD_TAG_LENGTH, type AeadAlgorithm, type CryptoBackend } from '../aead.js';

const toU8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const ZERO5 = new Uint8Array(5);

/** node:crypto (OpenSSL) packet protection. */
export const backend: CryptoBackend = {
  name: 'node:crypto',
  aead(alg: AeadAlgorithm, rawKey: Uint8Array) {
    const name = alg as CipherGCMTypes;
    // A KeyObject made once is cheaper per packet than raw key bytes (no key import per call).
    const key = createSecretKey(rawKey);
    return {
      seal(nonce, aad, plaintext) {
        // GCM's tag is 16 bytes by default; option objects cost a validation pass per packet.
        const c = createCipheriv(name, key, nonce);
        c.setAAD(aad);
        const body = c.update(plaintext);
        c.final();
        const out = new Uint8Array(body.length + AEAD_TAG_LENGTH);
        out.set(body, 0);
        out.set(c.getAuthTag(), body.length);
        return out;
      },
      sealInto(nonce, aad, plaintext, dst, at) {
        const c = createCipheriv(name, key, nonce);
        c.setAAD(aad);
        const body = c.update(plaintext);
        c.final();
        dst.set(body, at);
        dst.set(c.getAuthTag(), at + body.length);
        return body.length + AEAD_TAG_LENGTH;
      },
      open(nonce, aad, sealed) {
        if (sealed.length < AEAD_TAG_LENGTH) return undefined;
        const d = createDecipheriv(name, key, nonce);
        const n = sealed.length - AEAD_TAG_LENGTH;
        d.setAuthTag(sealed.subarray(n));
        d.setAAD(aad);
        const body = d.update(sealed.subarray(0, n));
        try {
          d.final();
        } catch {
          return undefined;
        }
        return toU8(body);
      },
    };
  },
  headerProtection(alg: AeadAlgorithm, key: Uint8Array) {
    if (alg === 'chacha20-poly1305') {
      return {
        // RFC 9001 §5.4.4: counter = sample[0..4] (little-endian), nonce = sample[4..16]; OpenSSL's
        // 16-byte chacha20 IV is exactly that layout.
        mask: (sample) => toU8(createCipheriv('chacha20', key, sample.subarray(0, 16)).update(ZERO5)),
      };
    }
    // ECB keeps no state between blocks, so one cipher object serves every packet.
    const ecb = createCipheriv(
      alg === 'aes-128-gcm' ? 'aes-128-ecb' : 'aes-256-ecb',
      key,
      null,
    ).setAutoPadding(false);
    // The mask is read at once and dropped, so the Buffer itself serves (no extra view).
    return { mask: (sample) => ecb.update(sample.subarray(0, 16)) };
  },
};

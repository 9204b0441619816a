import { ecb, gcm } from '@noble/ciphers/aes.js';
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { AeadAlgorithm, CryptoBackend } from '../aead.js';

/** Pure-JS packet protection on @noble/ciphers, for browsers. */
export const backend: CryptoBackend = {
  name: '@noble/ciphers',
  aead(alg: AeadAlgorithm, key: Uint8Array) {
    const k = key.slice();
    const make = (nonce: Uint8Array, aad: Uint8Array) =>
      alg === 'chacha20-poly1305' ? chacha20poly1305(k, nonce, aad) : gcm(k, nonce, aad);
    return {
      seal: (nonce, aad, plaintext) => make(nonce, aad).encrypt(plaintext),
      sealInto(nonce, aad, plaintext, dst, at) {
        const sealed = make(nonce, aad).encrypt(plaintext);
        dst.set(sealed, at);
        return sealed.length;
      },
      open(nonce, aad, sealed) {
        try {
          return make(nonce, aad).decrypt(sealed);
        } catch {
          return undefined;
        }
      },
    };
  },
  headerProtection(alg: AeadAlgorithm, key: Uint8Array) {
    const k = key.slice();
    if (alg === 'chacha20-poly1305') {
      return {
        mask(sample) {
          const counter = sample[0]! | (sample[1]! << 8) | (sample[2]! << 16) | (sample[3]! << 24);
          return chacha20(k, sample.slice(4, 16), new Uint8Array(5), undefined, counter >>> 0);
        },
      };
    }
    const cipher = ecb(k, { disablePadding: true });
    return { mask: (sample) => cipher.encrypt(sample.slice(0, 16)) };
  },
};

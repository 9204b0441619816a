/**
 * The Retry integrity tag (RFC 9001 §5.8): AES-128-GCM with a fixed key and nonce, an empty plaintext,
 * and the "Retry pseudo-packet" (the original DCID, length-prefixed, then the Retry packet without its
 * tag) as associated data.
 */
import { backend } from '#crypto-backend';

const KEY = Uint8Array.from([
  0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a, 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e,
]);
const NONCE = Uint8Array.from([0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb]);
const aead = backend.aead('aes-128-gcm', KEY);

function pseudoPacket(originalDcid: Uint8Array, retryWithoutTag: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + originalDcid.length + retryWithoutTag.length);
  out[0] = originalDcid.length;
  out.set(originalDcid, 1);
  out.set(retryWithoutTag, 1 + originalDcid.length);
  return out;
}

/** The 16-byte tag for a Retry packet (given without its tag). */
export function retryIntegrityTag(originalDcid: Uint8Array, retryWithoutTag: Uint8Array): Uint8Array {
  return aead.seal(NONCE, pseudoPacket(originalDcid, retryWithoutTag), new Uint8Array(0));
}

/** True when the Retry packet's last 16 bytes are the right tag for `originalDcid`. */
export function verifyRetryIntegrity(originalDcid: Uint8Array, retryPacket: Uint8Array): boolean {
  if (retryPacket.length < 16) return false;
  const body = retryPacket.subarray(0, retryPacket.length - 16);
  return (
    aead.open(NONCE, pseudoPacket(originalDcid, body), retryPacket.subarray(retryPacket.length - 16)) !==
    undefined
  );
}

/**
 * Authentication by TLS keying material: the fast path that saves the challenge round trip.
 *
 * Over TLS, the client exports 32 bytes of keying material (RFC 8446 §7.5, label
 * `iroh-relay handshake v1`, context = its own 32-byte public key), signs the first 16 bytes directly
 * (the exporter already separates domains, so no hashing), and sends
 * `base64url_nopad(postcard{ public_key[32], signature (len 64 + 64 bytes), suffix = km[16..32] })`
 * in the `x-iroh-relay-client-auth-v1` header of the upgrade request. The server exports the same
 * material from its side of the connection; if the suffix matches and the signature verifies it sends
 * `ServerConfirmsAuth`/`ServerDeniesAuth` straight away, otherwise it falls back to a challenge. A
 * suffix mismatch means something (a TLS-terminating proxy) sits between the two.
 *
 * @module
 */
import {
  base64UrlDecode,
  base64UrlEncode,
  PostcardReader,
  PostcardWriter,
  PublicKey,
  type SecretKey,
  Signature,
} from '@iroh-ts/base';
import { HandshakeError } from './errors.js';

/** TLS exporter label of the client authentication. */
export const TLS_EXPORT_LABEL = 'iroh-relay handshake v1';

/**
 * Exports TLS keying material, as Node's `tlsSocket.exportKeyingMaterial(length, label, context)`.
 * Returns `undefined` when the connection has no TLS.
 */
export type KeyingMaterialExporter = (
  length: number,
  label: string,
  context: Uint8Array,
) => Uint8Array | undefined;

/** The content of the `x-iroh-relay-client-auth-v1` header. */
export interface KeyMaterialClientAuth {
  /** The client's endpoint id. */
  readonly publicKey: PublicKey;
  /** Signature of the first 16 bytes of the keying material. */
  readonly signature: Signature;
  /** The last 16 bytes of the keying material, for diagnosing mismatches. */
  readonly keyMaterialSuffix: Uint8Array;
}

/** Builds the header content; `undefined` if `exporter` has no keying material (no TLS). */
export function createKeyMaterialClientAuth(
  secretKey: SecretKey,
  exporter: KeyingMaterialExporter,
): KeyMaterialClientAuth | undefined {
  const publicKey = secretKey.public();
  const km = exporter(32, TLS_EXPORT_LABEL, publicKey.bytesView);
  if (km === undefined || km.length !== 32) return undefined;
  return { publicKey, signature: secretKey.sign(km.subarray(0, 16)), keyMaterialSuffix: km.slice(16, 32) };
}

/** Encodes the header value. */
export function encodeClientAuthHeader(auth: KeyMaterialClientAuth): string {
  const bytes = new PostcardWriter(113)
    .raw(auth.publicKey.bytesView)
    .bytes(auth.signature.bytesView)
    .raw(auth.keyMaterialSuffix)
    .finish();
  return base64UrlEncode(bytes);
}

/**
 * Decodes the header value. Trailing bytes after the postcard payload are ignored, as in iroh.
 *
 * @throws {@link HandshakeError} `ClientAuthHeaderInvalid`.
 */
export function decodeClientAuthHeader(value: string): KeyMaterialClientAuth {
  try {
    const reader = new PostcardReader(base64UrlDecode(value));
    const publicKey = PublicKey.fromBytes(reader.raw(32));
    const signature = Signature.fromBytes(reader.bytes());
    const keyMaterialSuffix = reader.raw(16).slice();
    return { publicKey, signature, keyMaterialSuffix };
  } catch (cause) {
    throw new HandshakeError(
      'ClientAuthHeaderInvalid',
      `invalid client auth header: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/**
 * Verifies header content against the server's view of the TLS session.
 *
 * @throws {@link HandshakeError} `NoKeyingMaterial`, `MismatchedSuffix` or `SignatureInvalid`.
 */
export function verifyKeyMaterialClientAuth(
  auth: KeyMaterialClientAuth,
  exporter: KeyingMaterialExporter,
): void {
  const km = exporter(32, TLS_EXPORT_LABEL, auth.publicKey.bytesView);
  if (km === undefined || km.length !== 32) {
    throw new HandshakeError('NoKeyingMaterial', 'no TLS keying material on this connection');
  }
  const suffix = km.subarray(16, 32);
  for (let i = 0; i < 16; i++) {
    if (suffix[i] !== auth.keyMaterialSuffix[i]) {
      throw new HandshakeError('MismatchedSuffix', 'client exported different TLS keying material');
    }
  }
  if (!auth.publicKey.isValidSignature(km.subarray(0, 16), auth.signature)) {
    throw new HandshakeError('SignatureInvalid', 'keying material signature does not verify');
  }
}

/**
 * The relay authentication handshake (frame types 0–3, postcard payloads).
 *
 * Flow: the server sends `ServerChallenge` (16 random bytes); the client answers `ClientAuth` with its
 * public key and an Ed25519 signature; the server verifies it, runs access control, and answers
 * `ServerConfirmsAuth` or `ServerDeniesAuth(reason)`. With TLS, a client may instead authenticate up
 * front with the `x-iroh-relay-client-auth-v1` header (see `client-auth-header.ts`), in which case the
 * server skips the challenge: a client must accept either a challenge or a confirm/deny first.
 *
 * The client never signs the raw challenge: it signs
 * `BLAKE3.derive_key("iroh-relay handshake v1 challenge signature", challenge)`, so a malicious relay
 * cannot make it sign chosen 16-byte messages.
 *
 * @module
 */
import { PostcardReader, PostcardWriter, PublicKey, type SecretKey, Signature } from '@iroh-ts/base';
import { blake3 } from '@noble/hashes/blake3.js';
import { HandshakeError, RelayProtocolError } from './errors.js';
import { FrameType, frameTypeName, isKnownFrameType, readFrameType, varintLength } from './frame-type.js';

/** BLAKE3 `derive_key` context of the challenge signature. */
export const CHALLENGE_SIGNATURE_CONTEXT = 'iroh-relay handshake v1 challenge signature';
/** Length of the server's challenge. */
export const CHALLENGE_LENGTH = 16;

const CONTEXT_BYTES = new TextEncoder().encode(CHALLENGE_SIGNATURE_CONTEXT);

/** A decoded handshake frame. */
export type HandshakeFrame =
  | { readonly type: 'serverChallenge'; readonly challenge: Uint8Array }
  | { readonly type: 'clientAuth'; readonly publicKey: PublicKey; readonly signature: Signature }
  | { readonly type: 'serverConfirmsAuth' }
  | { readonly type: 'serverDeniesAuth'; readonly reason: string };

/** The `type` of a {@link HandshakeFrame}. */
export type HandshakeFrameKind = HandshakeFrame['type'];

const KIND_BY_TYPE: Readonly<Record<number, HandshakeFrameKind>> = {
  [FrameType.ServerChallenge]: 'serverChallenge',
  [FrameType.ClientAuth]: 'clientAuth',
  [FrameType.ServerConfirmsAuth]: 'serverConfirmsAuth',
  [FrameType.ServerDeniesAuth]: 'serverDeniesAuth',
};

/** The 32-byte message a client signs for `challenge`. */
export function challengeMessage(challenge: Uint8Array): Uint8Array {
  if (challenge.length !== CHALLENGE_LENGTH) {
    throw new RelayProtocolError('InvalidArgument', `challenge must be ${CHALLENGE_LENGTH} bytes`);
  }
  return blake3(challenge, { context: CONTEXT_BYTES });
}

/** Builds the client's answer to `challenge`. */
export function signChallenge(
  secretKey: SecretKey,
  challenge: Uint8Array,
): { readonly type: 'clientAuth'; readonly publicKey: PublicKey; readonly signature: Signature } {
  return {
    type: 'clientAuth',
    publicKey: secretKey.public(),
    signature: secretKey.sign(challengeMessage(challenge)),
  };
}

/** True when `signature` is `publicKey`'s strict Ed25519 signature of `challenge`'s message. */
export function verifyChallengeSignature(
  publicKey: PublicKey,
  signature: Signature,
  challenge: Uint8Array,
): boolean {
  return publicKey.isValidSignature(challengeMessage(challenge), signature);
}

/**
 * Encodes a handshake frame.
 *
 * @throws {@link RelayProtocolError} `InvalidArgument` for a challenge that is not 16 bytes.
 */
export function encodeHandshakeFrame(frame: HandshakeFrame): Uint8Array {
  switch (frame.type) {
    case 'serverChallenge': {
      if (frame.challenge.length !== CHALLENGE_LENGTH) {
        throw new RelayProtocolError('InvalidArgument', `challenge must be ${CHALLENGE_LENGTH} bytes`);
      }
      const out = new Uint8Array(1 + CHALLENGE_LENGTH);
      out[0] = FrameType.ServerChallenge;
      out.set(frame.challenge, 1);
      return out;
    }
    case 'clientAuth':
      return new PostcardWriter(99)
        .u8(FrameType.ClientAuth)
        .raw(frame.publicKey.bytesView)
        .bytes(frame.signature.bytesView)
        .finish();
    case 'serverConfirmsAuth':
      return Uint8Array.of(FrameType.ServerConfirmsAuth);
    case 'serverDeniesAuth':
      return new PostcardWriter().u8(FrameType.ServerDeniesAuth).str(frame.reason).finish();
  }
}

function payload<T>(kind: HandshakeFrameKind, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    throw new HandshakeError('DeserializationError', `malformed ${kind} frame: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * Decodes a handshake frame, accepting only the `expected` kinds. Like postcard's `from_bytes`, bytes
 * after the payload are ignored.
 *
 * @throws {@link RelayProtocolError} `UnexpectedEnd` or `UnknownFrameType` for a bad frame type;
 *   {@link HandshakeError} `UnexpectedFrameType` for a known type not in `expected`, and
 *   `DeserializationError` for a malformed payload (including a public key that is not a curve point).
 */
export function decodeHandshakeFrame(
  frame: Uint8Array,
  expected: readonly HandshakeFrameKind[],
): HandshakeFrame {
  const type = readFrameType(frame);
  if (!isKnownFrameType(type)) throw new RelayProtocolError('UnknownFrameType', `unknown frame type ${type}`);
  const kind = KIND_BY_TYPE[type];
  if (kind === undefined || !expected.includes(kind)) {
    throw new HandshakeError(
      'UnexpectedFrameType',
      `unexpected ${frameTypeName(type)} frame during the handshake, expected one of ${expected.join(', ')}`,
    );
  }
  const reader = new PostcardReader(frame.subarray(varintLength(frame[0]!)));
  switch (kind) {
    case 'serverChallenge':
      return payload(kind, () => ({ type: kind, challenge: reader.raw(CHALLENGE_LENGTH).slice() }));
    case 'clientAuth':
      return payload(kind, () => {
        const publicKey = PublicKey.fromBytes(reader.raw(32));
        const sig = reader.bytes();
        return { type: kind, publicKey, signature: Signature.fromBytes(sig) };
      });
    case 'serverConfirmsAuth':
      return { type: kind };
    case 'serverDeniesAuth':
      return payload(kind, () => ({ type: kind, reason: reader.str() }));
  }
}

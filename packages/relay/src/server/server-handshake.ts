/**
 * The server side of the relay handshake as a sans-IO state machine: it is fed the upgrade request's
 * auth header and then frames, and says what to send and when the client is authenticated.
 *
 * @module
 */
import type { PublicKey, RandomSource } from '@iroh-ts/base';
import {
  decodeClientAuthHeader,
  type KeyingMaterialExporter,
  verifyKeyMaterialClientAuth,
} from '../protos/client-auth-header.js';
import { HandshakeError } from '../protos/errors.js';
import {
  CHALLENGE_LENGTH,
  decodeHandshakeFrame,
  encodeHandshakeFrame,
  verifyChallengeSignature,
} from '../protos/handshake.js';

/** How the client proved its identity. */
export type AuthMechanism = 'signedChallenge' | 'signedKeyMaterial';

/** What the driver must do next. */
export type ServerHandshakeStep =
  /** Send `frame` (the challenge) and wait for the next frame. */
  | { readonly kind: 'send'; readonly frame: Uint8Array }
  /** The client is authenticated; run access control next. */
  | { readonly kind: 'authenticated'; readonly endpointId: PublicKey; readonly mechanism: AuthMechanism }
  /** Authentication failed: send `frame` (ServerDeniesAuth) and close. */
  | { readonly kind: 'denied'; readonly frame: Uint8Array; readonly reason: string };

/** Reason sent when the challenge signature does not verify. */
export const SIGNATURE_INVALID_REASON = 'signature invalid';

/** One server-side handshake. */
export class ServerHandshake {
  readonly #random: RandomSource;
  #challenge: Uint8Array | undefined;

  /** @param random - Source of the 16-byte challenge. */
  constructor(random: RandomSource) {
    this.#random = random;
  }

  /**
   * Starts the handshake. A valid `x-iroh-relay-client-auth-v1` header whose keying material matches
   * authenticates at once; otherwise a challenge is sent.
   *
   * @param clientAuthHeader - The header value, if present.
   * @param exporter - Exports the connection's TLS keying material; `undefined` without TLS.
   * @throws {@link HandshakeError} `ClientAuthHeaderInvalid` if the header cannot be decoded (as iroh,
   *   a malformed header ends the connection rather than falling back).
   */
  start(
    clientAuthHeader: string | undefined,
    exporter: KeyingMaterialExporter | undefined,
  ): ServerHandshakeStep {
    if (clientAuthHeader !== undefined) {
      const auth = decodeClientAuthHeader(clientAuthHeader);
      if (exporter !== undefined) {
        try {
          verifyKeyMaterialClientAuth(auth, exporter);
          return { kind: 'authenticated', endpointId: auth.publicKey, mechanism: 'signedKeyMaterial' };
        } catch {
          // A mismatch is normal (e.g. a TLS-terminating proxy): fall back to the challenge.
        }
      }
    }
    const challenge = this.#random(CHALLENGE_LENGTH);
    this.#challenge = challenge;
    return { kind: 'send', frame: encodeHandshakeFrame({ type: 'serverChallenge', challenge }) };
  }

  /**
   * Handles the client's answer to the challenge.
   *
   * @throws {@link HandshakeError} `UnexpectedFrameType` (for example a datagram before the handshake)
   *   or `DeserializationError`, and {@link RelayProtocolError} for an unknown or empty frame type.
   */
  handleFrame(frame: Uint8Array): ServerHandshakeStep {
    const challenge = this.#challenge;
    if (challenge === undefined) {
      throw new HandshakeError('UnexpectedFrameType', 'no frame expected before the handshake started');
    }
    const auth = decodeHandshakeFrame(frame, ['clientAuth']);
    if (auth.type !== 'clientAuth') throw new HandshakeError('UnexpectedFrameType', 'expected ClientAuth');
    this.#challenge = undefined;
    if (!verifyChallengeSignature(auth.publicKey, auth.signature, challenge)) {
      return {
        kind: 'denied',
        reason: SIGNATURE_INVALID_REASON,
        frame: encodeHandshakeFrame({ type: 'serverDeniesAuth', reason: SIGNATURE_INVALID_REASON }),
      };
    }
    return { kind: 'authenticated', endpointId: auth.publicKey, mechanism: 'signedChallenge' };
  }
}

/**
 * The client side of the relay handshake, sans IO. The first frame may be a challenge, or directly
 * a confirm/deny (when the server accepted TLS keying-material authentication).
 *
 * @module
 */
import type { SecretKey } from '@iroh-ts/base';
import { HandshakeError } from '../protos/errors.js';
import { decodeHandshakeFrame, encodeHandshakeFrame, signChallenge } from '../protos/handshake.js';

/** What the driver must do after a frame. */
export type ClientHandshakeStep =
  | { readonly kind: 'send'; readonly frame: Uint8Array }
  | { readonly kind: 'confirmed' };

/** One client-side handshake. */
export class ClientHandshake {
  readonly #secretKey: SecretKey;
  #answered = false;

  constructor(secretKey: SecretKey) {
    this.#secretKey = secretKey;
  }

  /**
   * Handles a frame from the server.
   *
   * @throws {@link HandshakeError} `ServerDeniedAuth` (with `reason`), `UnexpectedFrameType` or
   *   `DeserializationError`; {@link RelayProtocolError} for an unknown frame type.
   */
  handleFrame(frame: Uint8Array): ClientHandshakeStep {
    const expected = this.#answered
      ? (['serverConfirmsAuth', 'serverDeniesAuth'] as const)
      : (['serverChallenge', 'serverConfirmsAuth', 'serverDeniesAuth'] as const);
    const msg = decodeHandshakeFrame(frame, expected);
    switch (msg.type) {
      case 'serverChallenge':
        this.#answered = true;
        return { kind: 'send', frame: encodeHandshakeFrame(signChallenge(this.#secretKey, msg.challenge)) };
      case 'serverConfirmsAuth':
        return { kind: 'confirmed' };
      case 'serverDeniesAuth':
        throw new HandshakeError('ServerDeniedAuth', `the relay denied our authentication (${msg.reason})`, {
          reason: msg.reason,
        });
      default:
        throw new HandshakeError('UnexpectedFrameType', `unexpected ${msg.type}`);
    }
  }
}

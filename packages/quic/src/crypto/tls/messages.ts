/**
 * TLS 1.3 handshake messages (RFC 8446 §4): the typed {@link HandshakeMessage} union, the 4-byte
 * handshake header (`msg_type` u8, `length` u24), and decode/encode of complete messages. The message
 * types and their helpers live in `messages-hello.ts` and `messages-auth.ts`; the incremental framer
 * for CRYPTO-stream bytes in `messages-framer.ts`. All of it is sans-IO: no clocks, no randomness.
 */
import { Reader, Writer } from '../../proto/coding.js';
import { asDecodeError, TlsAlert } from './alerts.js';
import { HandshakeType, handshakeTypeName } from './constants.js';
import {
  type AuthMessage,
  decodeCertificate,
  decodeCertificateRequest,
  decodeCertificateVerify,
  decodeEncryptedExtensions,
  decodeEndOfEarlyData,
  decodeFinished,
  decodeKeyUpdate,
  decodeNewSessionTicket,
  encodeAuthBody,
} from './messages-auth.js';
import {
  type ClientHello,
  decodeClientHello,
  decodeServerHello,
  encodeClientHelloBody,
  encodeServerHelloBody,
  type HelloRetryRequest,
  type ServerHello,
} from './messages-hello.js';

export * from './messages-auth.js';
export * from './messages-framer.js';
export * from './messages-hello.js';

/** Any TLS 1.3 handshake message, discriminated by `kind`. */
export type HandshakeMessage = ClientHello | ServerHello | HelloRetryRequest | AuthMessage;

/** The `kind` of a {@link HandshakeMessage}. */
export type HandshakeKind = HandshakeMessage['kind'];

/** Length of the handshake header: msg_type (1) + length (3). */
export const HANDSHAKE_HEADER_LENGTH = 4;

const KIND_TYPE: Readonly<Record<HandshakeKind, HandshakeType>> = {
  client_hello: HandshakeType.ClientHello,
  server_hello: HandshakeType.ServerHello,
  hello_retry_request: HandshakeType.ServerHello,
  encrypted_extensions: HandshakeType.EncryptedExtensions,
  certificate_request: HandshakeType.CertificateRequest,
  certificate: HandshakeType.Certificate,
  certificate_verify: HandshakeType.CertificateVerify,
  finished: HandshakeType.Finished,
  new_session_ticket: HandshakeType.NewSessionTicket,
  key_update: HandshakeType.KeyUpdate,
  end_of_early_data: HandshakeType.EndOfEarlyData,
};

/** The msg_type byte of a message. */
export function handshakeType(m: HandshakeMessage): HandshakeType {
  return KIND_TYPE[m.kind];
}

/** Options for decoding message bodies. */
export interface DecodeOptions {
  /**
   * TLS carried in QUIC (the default): KeyUpdate and EndOfEarlyData are parsed, then refused with
   * `unexpected_message` (RFC 9001 §6 and §8.3).
   */
  readonly quic?: boolean;
  /** The negotiated hash length, when known: a Finished of another length is `decode_error`. */
  readonly hashLength?: number;
}

/**
 * Decodes the body of a handshake message of type `type`. An unknown or unexpected type is
 * `unexpected_message`; malformed bytes are `decode_error`; other violations carry the alert
 * RFC 8446 prescribes. Byte fields of the result are views of `body`.
 */
export function decodeHandshakeBody(
  type: number,
  body: Uint8Array,
  opts: DecodeOptions = {},
): HandshakeMessage {
  const quic = opts.quic ?? true;
  switch (type) {
    case HandshakeType.ClientHello:
      return decodeClientHello(body);
    case HandshakeType.ServerHello:
      return decodeServerHello(body);
    case HandshakeType.EncryptedExtensions:
      return decodeEncryptedExtensions(body);
    case HandshakeType.CertificateRequest:
      return decodeCertificateRequest(body);
    case HandshakeType.Certificate:
      return decodeCertificate(body);
    case HandshakeType.CertificateVerify:
      return decodeCertificateVerify(body);
    case HandshakeType.Finished:
      return decodeFinished(body, opts.hashLength);
    case HandshakeType.NewSessionTicket:
      return decodeNewSessionTicket(body);
    case HandshakeType.KeyUpdate: {
      const m = decodeKeyUpdate(body);
      if (quic) throw new TlsAlert('unexpected_message', 'KeyUpdate is not allowed in QUIC');
      return m;
    }
    case HandshakeType.EndOfEarlyData: {
      const m = decodeEndOfEarlyData(body);
      if (quic) throw new TlsAlert('unexpected_message', 'EndOfEarlyData is not allowed in QUIC');
      return m;
    }
  }
  throw new TlsAlert('unexpected_message', `unexpected handshake message ${handshakeTypeName(type)}`);
}

/** Decodes one complete handshake message (header + body); the length must match exactly. */
export function decodeHandshake(message: Uint8Array, opts: DecodeOptions = {}): HandshakeMessage {
  const { type, body } = asDecodeError('handshake message', () => {
    const r = new Reader(message);
    const type = r.u8();
    const body = r.bytes(r.u24());
    r.finish('handshake message');
    return { type, body };
  });
  return decodeHandshakeBody(type, body, opts);
}

/** Writes a message's body (without the handshake header). */
export function encodeHandshakeBody(w: Writer, m: HandshakeMessage): void {
  switch (m.kind) {
    case 'client_hello':
      encodeClientHelloBody(w, m);
      return;
    case 'server_hello':
    case 'hello_retry_request':
      encodeServerHelloBody(w, m);
      return;
    default:
      encodeAuthBody(w, m);
      return;
  }
}

/** Encodes a complete handshake message: msg_type, u24 length, body. These bytes go into the transcript. */
export function encodeHandshake(m: HandshakeMessage): Uint8Array {
  const w = new Writer(256);
  w.u8(handshakeType(m));
  w.vec(3, (b) => encodeHandshakeBody(b, m));
  return w.finish();
}

/** Frames an already-encoded body as a handshake message. */
export function frameHandshake(type: number, body: Uint8Array): Uint8Array {
  if (body.length >= 1 << 24) throw new RangeError(`handshake body of ${body.length} bytes`);
  return new Writer(body.length + HANDSHAKE_HEADER_LENGTH)
    .u8(type)
    .vec(3, (w) => w.bytes(body))
    .finish();
}

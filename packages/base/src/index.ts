/**
 * `@iroh-ts/base`: the types every iroh-ts package shares.
 *
 * - Identity: {@link SecretKey}, {@link PublicKey} (alias {@link EndpointId}), {@link Signature}.
 * - Addressing: {@link RelayUrl}, {@link SocketAddr}, {@link CustomAddr}, {@link TransportAddr},
 *   {@link EndpointAddr}.
 * - Encodings: hex, RFC 4648 base32, base32hex, unpadded base64url and z-base-32.
 * - The postcard codec: {@link PostcardReader} and {@link PostcardWriter}.
 * - Typed errors: every decoder throws a subclass of {@link IrohError}.
 *
 * @packageDocumentation
 */
export { CustomAddr } from './addr/custom-addr.js';
export { EndpointAddr } from './addr/endpoint-addr.js';
export { RelayUrl } from './addr/relay-url.js';
export { SocketAddr } from './addr/socket-addr.js';
export { TransportAddr } from './addr/transport-addr.js';
export {
  base32Decode,
  base32Encode,
  base32HexDecode,
  base32HexEncode,
  z32Decode,
  z32Encode,
} from './encoding/base32.js';
export { base64UrlDecode, base64UrlEncode } from './encoding/base64url.js';
export { equalBytes } from './encoding/bytes.js';
export { hexDecode, hexEncode } from './encoding/hex.js';
export {
  AddrParseError,
  type AddrParseErrorCode,
  DecodeError,
  type DecodeErrorCode,
  IrohError,
  KeyParsingError,
  type KeyParsingErrorCode,
  PostcardError,
  type PostcardErrorCode,
  SignatureError,
  type SignatureErrorCode,
} from './errors.js';
export { ed25519BackendName } from './keys/backend-name.js';
export { EndpointId, PublicKey } from './keys/public-key.js';
export { type RandomSource, SecretKey, secureRandom } from './keys/secret-key.js';
export { Signature } from './keys/signature.js';
export { PostcardReader } from './postcard/reader.js';
export { PostcardWriter } from './postcard/writer.js';

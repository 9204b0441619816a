/**
 * The iroh relay wire protocol, sans IO: frame codec, handshake, TLS-exporter authentication header,
 * protocol versions, keep-alive tracking, and the constants of QUIC address discovery (QAD).
 *
 * @module
 */
// Re-exported from @iroh-ts/base, where the codec now lives.
export { base64UrlDecode, base64UrlEncode } from '@iroh-ts/base';
export {
  createKeyMaterialClientAuth,
  decodeClientAuthHeader,
  encodeClientAuthHeader,
  type KeyingMaterialExporter,
  type KeyMaterialClientAuth,
  TLS_EXPORT_LABEL,
  verifyKeyMaterialClientAuth,
} from './client-auth-header.js';
export {
  AUTH_TOKEN_QUERY_PARAM,
  CLIENT_AUTH_HEADER,
  ESTABLISH_TIMEOUT_MS,
  MAX_FRAME_SIZE,
  MAX_PACKET_SIZE,
  MIN_PING_TIMEOUT_MS,
  PER_CLIENT_SEND_QUEUE_DEPTH,
  PING_INTERVAL_MS,
  PING_TIMEOUT_MS,
  RELAY_PATH,
  RELAY_PROBE_PATH,
  SERVER_WRITE_TIMEOUT_MS,
} from './constants.js';
export {
  batchDatagrams,
  type Datagrams,
  Ecn,
  ecnFromByte,
  splitDatagrams,
  takeSegments,
} from './datagrams.js';
export {
  HandshakeError,
  type HandshakeErrorCode,
  RelayProtocolError,
  type RelayProtocolErrorCode,
} from './errors.js';
export { FrameType, frameTypeName, isKnownFrameType, readFrameType, varintLength } from './frame-type.js';
export {
  CHALLENGE_LENGTH,
  CHALLENGE_SIGNATURE_CONTEXT,
  challengeMessage,
  decodeHandshakeFrame,
  encodeHandshakeFrame,
  type HandshakeFrame,
  type HandshakeFrameKind,
  signChallenge,
  verifyChallengeSignature,
} from './handshake.js';
export { KeyCache, parseEndpointId } from './key-cache.js';
export { PingTracker } from './ping-tracker.js';
export {
  canonicalSocketAddr,
  DEFAULT_QAD_PORT,
  QAD_ALPN,
  QAD_CLIENT_TRANSPORT,
  QAD_CLOSE_CODE,
  QAD_CLOSE_REASON,
  QAD_SERVER_IDLE_TIMEOUT_MS,
} from './qad.js';
export {
  type ClientToRelayMsg,
  classifyClientFrame,
  classifyRelayFrame,
  decodeClientToRelay,
  decodeRelayToClient,
  encodeClientToRelay,
  encodeDatagramsFrame,
  encodeRelayToClient,
  PING_DATA_LENGTH,
  type RelayToClientMsg,
} from './relay.js';
export { Status, statusDescription, statusName } from './status.js';
export {
  negotiateProtocolVersion,
  PROTOCOL_V1,
  PROTOCOL_V2,
  type ProtocolVersion,
  parseProtocolVersion,
  protocolVersionNumber,
  SUPPORTED_PROTOCOL_VERSIONS,
} from './version.js';

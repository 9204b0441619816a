/**
 * Minimal HTTP/3 + QPACK (static table only) over `@iroh-ts/quic`, for interop tests against other
 * QUIC stacks that only speak `h3` (ngtcp2's example client and server). Test tooling, not product.
 */
export {
  H3Connection,
  type H3Request,
  type H3Response,
  type RequestOptions,
} from './connection.js';
export {
  decodeSettings,
  encodeFrame,
  encodeSettings,
  type Frame,
  FrameReader,
  FrameType,
  H3Error,
  H3ProtocolError,
  Setting,
  StreamType,
} from './frames.js';
export { huffmanDecode, huffmanEncode } from './huffman.js';
export {
  decodeFieldSection,
  encodeFieldSection,
  encodePrefixInt,
  type Field,
  QpackError,
  STATIC_TABLE,
} from './qpack.js';
export { concat, decodeVarint, encodeVarint, varintSize } from './varint.js';

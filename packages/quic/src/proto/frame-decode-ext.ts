/**
 * Decoding of the extension frames iroh negotiates (see `frame-types-ext.ts`): multipath PATH_ABANDON,
 * PATH_STATUS_*, MAX_PATH_ID, PATHS_BLOCKED, PATH_CIDS_BLOCKED; n0 NAT traversal ADD_ADDRESS, REACH_OUT,
 * REMOVE_ADDRESS; address discovery OBSERVED_ADDRESS. The multipath variants of ACK, NEW_CONNECTION_ID and
 * RETIRE_CONNECTION_ID are decoded with their RFC 9000 counterparts in `frame-decode.ts`.
 *
 * Same rules as the core decoder: every malformed input is a {@link TransportError} FRAME_ENCODING_ERROR
 * carrying the frame type, IP addresses are views into the packet. Sans-IO, no Node imports.
 */
import type { Reader } from './coding.js';
import { bytes, pathId, varint, varintBig } from './frame-read.js';
import type { Frame } from './frame-types.js';
import { ExtFrameType } from './frame-types-ext.js';
import { TransportError } from './transport-error.js';

/** An IP address (4 bytes, or 16 when `v6`) followed by a big-endian 16-bit port. */
function ipPort(r: Reader, type: number, v6: boolean): { ip: Uint8Array; port: number } {
  const ip = bytes(r, v6 ? 16 : 4, type, 'IP address');
  const p = bytes(r, 2, type, 'port');
  return { ip, port: (p[0]! << 8) | p[1]! };
}

/**
 * Decodes the body of an extension frame whose type `type` has been read; any other type is an unknown
 * frame (FRAME_ENCODING_ERROR).
 */
export function readExtBody(r: Reader, type: number): Frame {
  switch (type) {
    case ExtFrameType.PATH_ABANDON: {
      const path = pathId(r, type);
      return { type: 'pathAbandon', pathId: path, errorCode: varintBig(r, type, 'error code') };
    }
    case ExtFrameType.PATH_STATUS_BACKUP:
    case ExtFrameType.PATH_STATUS_AVAILABLE: {
      const path = pathId(r, type);
      return {
        type: 'pathStatus',
        pathId: path,
        sequence: varint(r, type, 'path status sequence number'),
        available: type === ExtFrameType.PATH_STATUS_AVAILABLE,
      };
    }
    case ExtFrameType.MAX_PATH_ID:
      return { type: 'maxPathId', pathId: pathId(r, type) };
    case ExtFrameType.PATHS_BLOCKED:
      return { type: 'pathsBlocked', pathId: pathId(r, type) };
    case ExtFrameType.PATH_CIDS_BLOCKED: {
      const path = pathId(r, type);
      return { type: 'pathCidsBlocked', pathId: path, nextSequence: varint(r, type, 'next sequence number') };
    }
    case ExtFrameType.ADD_ADDRESS_V4:
    case ExtFrameType.ADD_ADDRESS_V6: {
      const sequence = varint(r, type, 'sequence number');
      return { type: 'addAddress', sequence, ...ipPort(r, type, type === ExtFrameType.ADD_ADDRESS_V6) };
    }
    case ExtFrameType.REACH_OUT_V4:
    case ExtFrameType.REACH_OUT_V6: {
      const round = varint(r, type, 'round');
      return { type: 'reachOut', round, ...ipPort(r, type, type === ExtFrameType.REACH_OUT_V6) };
    }
    case ExtFrameType.REMOVE_ADDRESS:
      return { type: 'removeAddress', sequence: varint(r, type, 'sequence number') };
    case ExtFrameType.OBSERVED_ADDRESS_V4:
    case ExtFrameType.OBSERVED_ADDRESS_V6: {
      const sequence = varint(r, type, 'sequence number');
      return {
        type: 'observedAddress',
        sequence,
        ...ipPort(r, type, type === ExtFrameType.OBSERVED_ADDRESS_V6),
      };
    }
    default:
      throw TransportError.frameEncoding(`unknown frame type 0x${type.toString(16)}`, type);
  }
}

/**
 * Extension frames iroh negotiates on top of RFC 9000, all 1-RTT only:
 * - multipath (draft-ietf-quic-multipath, as noq implements it): PATH_ABANDON, PATH_STATUS_BACKUP /
 *   PATH_STATUS_AVAILABLE, MAX_PATH_ID, PATHS_BLOCKED, PATH_CIDS_BLOCKED. PATH_ACK, PATH_NEW_CONNECTION_ID
 *   and PATH_RETIRE_CONNECTION_ID are the RFC frames with a `pathId` (see `frame-types.ts`);
 * - n0 NAT traversal: ADD_ADDRESS, REACH_OUT, REMOVE_ADDRESS;
 * - address discovery (draft-seemann-quic-address-discovery): OBSERVED_ADDRESS.
 *
 * Path ids are varints bounded to 32 bits. Addresses are raw IP bytes (4 or 16) and a 16-bit port.
 */

/** Wire type codes of the extension frames. */
export const ExtFrameType = {
  PATH_ACK: 0x3e,
  PATH_ACK_ECN: 0x3f,
  PATH_ABANDON: 0x3e75,
  PATH_STATUS_BACKUP: 0x3e76,
  PATH_STATUS_AVAILABLE: 0x3e77,
  PATH_NEW_CONNECTION_ID: 0x3e78,
  PATH_RETIRE_CONNECTION_ID: 0x3e79,
  MAX_PATH_ID: 0x3e7a,
  PATHS_BLOCKED: 0x3e7b,
  PATH_CIDS_BLOCKED: 0x3e7c,
  ADD_ADDRESS_V4: 0x3d7f90,
  ADD_ADDRESS_V6: 0x3d7f91,
  REACH_OUT_V4: 0x3d7f92,
  REACH_OUT_V6: 0x3d7f93,
  REMOVE_ADDRESS: 0x3d7f94,
  OBSERVED_ADDRESS_V4: 0x9f81a6,
  OBSERVED_ADDRESS_V6: 0x9f81a7,
} as const;

/** Largest path id (path ids are bounded to u32). */
export const MAX_PATH_ID_VALUE = 0xffffffff;

/** PATH_ABANDON (0x3e75). */
export interface PathAbandonFrame {
  readonly type: 'pathAbandon';
  pathId: number;
  errorCode: bigint;
}

/** PATH_STATUS_AVAILABLE (0x3e77) when `available`, else PATH_STATUS_BACKUP (0x3e76). */
export interface PathStatusFrame {
  readonly type: 'pathStatus';
  pathId: number;
  /** Status sequence number (strict). */
  sequence: number;
  available: boolean;
}

/** MAX_PATH_ID (0x3e7a). */
export interface MaxPathIdFrame {
  readonly type: 'maxPathId';
  pathId: number;
}

/** PATHS_BLOCKED (0x3e7b): the sender wants more paths than the maximum path id `pathId` allows. */
export interface PathsBlockedFrame {
  readonly type: 'pathsBlocked';
  pathId: number;
}

/** PATH_CIDS_BLOCKED (0x3e7c). */
export interface PathCidsBlockedFrame {
  readonly type: 'pathCidsBlocked';
  pathId: number;
  /** Next expected CID sequence number (strict). */
  nextSequence: number;
}

/** ADD_ADDRESS (0x3d7f90 IPv4 / 0x3d7f91 IPv6), sent by the server. */
export interface AddAddressFrame {
  readonly type: 'addAddress';
  /** Sequence number of the announcement (strict). */
  sequence: number;
  /** 4 or 16 bytes (a view when decoded). */
  ip: Uint8Array;
  port: number;
}

/** REACH_OUT (0x3d7f92 IPv4 / 0x3d7f93 IPv6), sent by the client. */
export interface ReachOutFrame {
  readonly type: 'reachOut';
  /** NAT traversal round (strict). */
  round: number;
  /** 4 or 16 bytes (a view when decoded). */
  ip: Uint8Array;
  port: number;
}

/** REMOVE_ADDRESS (0x3d7f94), sent by the server. */
export interface RemoveAddressFrame {
  readonly type: 'removeAddress';
  /** Sequence number of the ADD_ADDRESS being withdrawn (strict). */
  sequence: number;
}

/** OBSERVED_ADDRESS (0x9f81a6 IPv4 / 0x9f81a7 IPv6). */
export interface ObservedAddressFrame {
  readonly type: 'observedAddress';
  /** Sequence number (strict). */
  sequence: number;
  /** 4 or 16 bytes (a view when decoded). */
  ip: Uint8Array;
  port: number;
}

/** Every extension frame kind except the path variants of ACK / NEW_CONNECTION_ID / RETIRE_CONNECTION_ID. */
export type ExtFrame =
  | PathAbandonFrame
  | PathStatusFrame
  | MaxPathIdFrame
  | PathsBlockedFrame
  | PathCidsBlockedFrame
  | AddAddressFrame
  | ReachOutFrame
  | RemoveAddressFrame
  | ObservedAddressFrame;

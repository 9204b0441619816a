/** What a connection tells its owner. */
import type { PeerIdentity } from '../../crypto/session.js';
import type { StreamEvent } from '../streams/streams.js';

/** Why a connection ended. */
export type CloseReason =
  /** The peer closed with a transport error code. */
  | {
      readonly kind: 'transport';
      readonly errorCode: bigint;
      readonly frameType: number;
      readonly reason: string;
      readonly remote: boolean;
    }
  /** An application closed it (ours or the peer's). */
  | {
      readonly kind: 'application';
      readonly errorCode: bigint;
      readonly reason: Uint8Array;
      readonly remote: boolean;
    }
  /** Nothing was heard for the idle timeout. */
  | { readonly kind: 'timeout' }
  /** The peer sent a stateless reset. */
  | { readonly kind: 'reset' };

/** Connection events, polled with `pollEvent()`. */
export type ConnectionEvent =
  | {
      readonly type: 'handshake-complete';
      readonly alpn: Uint8Array | undefined;
      readonly peer: PeerIdentity | undefined;
    }
  | { readonly type: 'handshake-confirmed' }
  | { readonly type: 'stream'; readonly event: StreamEvent }
  | { readonly type: 'datagram-received' }
  | { readonly type: 'closed'; readonly reason: CloseReason }
  /** Drained: the connection may be forgotten by its endpoint. */
  | { readonly type: 'drained' };

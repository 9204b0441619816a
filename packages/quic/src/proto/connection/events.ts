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
  /** The peer sent a stateless reset (RFC 9000 §10.3): it has no state for this connection. */
  | { readonly kind: 'stateless-reset' };

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
  /**
   * The peer's address changed (RFC 9000 §9): datagrams now go to `remote`. `validated` is false while
   * the new address has not answered our PATH_CHALLENGE yet; a second event follows when it does.
   */
  | {
      readonly type: 'path-changed';
      readonly remote: string;
      readonly validated: boolean;
      /** Multipath: the path id that now carries data. */
      readonly id?: number;
    }
  /** Multipath: path `id` to `remote` was validated and may carry data. */
  | { readonly type: 'path-opened'; readonly id: number; readonly remote: string }
  /** Address discovery: the peer reports it sees us at `addr` on path `id`. */
  | { readonly type: 'observed-address'; readonly id: number; readonly addr: string }
  /** NAT traversal (client): the server announced or withdrew a candidate address. */
  | { readonly type: 'nat-address-added'; readonly addr: string }
  | { readonly type: 'nat-address-removed'; readonly addr: string }
  /** NAT traversal: a round started (client: ours; server: the client's REACH_OUT named `addrs`). */
  | { readonly type: 'nat-round'; readonly round: number; readonly addrs: readonly string[] }
  /** NAT traversal (client): a probe to `addr` was answered; path `id` is being opened there. */
  | { readonly type: 'nat-path-opening'; readonly id: number; readonly addr: string }
  /** Multipath: path `id` was abandoned, by the peer when `remote`. */
  | {
      readonly type: 'path-abandoned';
      readonly id: number;
      readonly errorCode: bigint;
      readonly remote: boolean;
    }
  | { readonly type: 'closed'; readonly reason: CloseReason }
  /** Drained: the connection may be forgotten by its endpoint. */
  | { readonly type: 'drained' };

/**
 * What a connection tells the endpoint that owns it (polled with `pollEndpointEvent()` after every
 * input): connection IDs to route to it or to stop routing, stateless reset tokens that identify it,
 * and address-validation tokens a server gave it.
 */
export type EndpointEvent =
  /** A connection ID we issued: route packets sent to it here. */
  | { readonly type: 'cid-issued'; readonly cid: Uint8Array }
  /** The peer retired one of our connection IDs: stop routing it. */
  | { readonly type: 'cid-retired'; readonly cid: Uint8Array }
  /** A datagram ending in this token, for no known connection ID, is a stateless reset for us. */
  | { readonly type: 'reset-token-added'; readonly token: Uint8Array }
  | { readonly type: 'reset-token-removed'; readonly token: Uint8Array }
  /** Client: the server sent a NEW_TOKEN, for the next connection to it (RFC 9000 §8.1.3). */
  | { readonly type: 'new-token'; readonly token: Uint8Array };

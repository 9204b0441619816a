/** What a sent packet carried, so that acknowledgement and loss can be applied to it. */
import type { Frame } from '../frame.js';

/** One retransmittable (or trackable) element of a sent packet. */
export type SentItem =
  | {
      readonly kind: 'stream';
      readonly id: number;
      readonly offset: number;
      readonly length: number;
      readonly fin: boolean;
    }
  | { readonly kind: 'crypto'; readonly offset: number; readonly length: number }
  /** A control frame resent with its current value when lost. */
  | { readonly kind: 'control'; readonly frame: Frame }
  /** An ACK frame whose largest acknowledged packet number lets us forget older ranges once acknowledged. */
  | { readonly kind: 'ack'; readonly largest: number }
  | { readonly kind: 'handshake-done' }
  | { readonly kind: 'ping' }
  /** NEW_CONNECTION_ID for our CID `seq`, RETIRE_CONNECTION_ID for the peer's CID `seq`. */
  | { readonly kind: 'new-cid'; readonly seq: number }
  | { readonly kind: 'retire-cid'; readonly seq: number }
  /** The server's NEW_TOKEN. */
  | { readonly kind: 'new-token' }
  /** A path MTU probe of `size` bytes. */
  | { readonly kind: 'mtu-probe'; readonly size: number }
  /** An OBSERVED_ADDRESS report. */
  | { readonly kind: 'observed-address'; readonly pathId: number; readonly sequence: number }
  /** NAT traversal frames (ADD_ADDRESS, REMOVE_ADDRESS, REACH_OUT). */
  | { readonly kind: 'nat'; readonly frame: Frame }
  /** Multipath control frames. */
  | { readonly kind: 'path-abandon'; readonly pathId: number; readonly errorCode: bigint }
  | { readonly kind: 'path-status'; readonly pathId: number; readonly sequence: number }
  | { readonly kind: 'max-path-id' }
  | { readonly kind: 'path-new-cid'; readonly pathId: number; readonly seq: number }
  | { readonly kind: 'path-retire-cid'; readonly pathId: number; readonly seq: number };

/** The payload recorded with each sent packet. */
export type SentRecord = SentItem[];

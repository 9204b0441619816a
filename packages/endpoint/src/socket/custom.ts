/**
 * Custom transports: anything that can carry datagrams between endpoints (Bluetooth, a WebRTC data
 * channel, a test harness) plugs in under QUIC next to UDP and the relays. Addresses on a custom
 * transport are {@link CustomAddr}s whose `id` names the transport. Unstable in iroh 1.x, here too.
 */
import type { CustomAddr } from '@iroh-ts/base';

/** A datagram transport the socket layer can use besides UDP and relays. */
export interface CustomTransport {
  /** The transport id (the `id` of every {@link CustomAddr} it handles). */
  readonly id: bigint;
  /** Our own addresses on this transport (advertised in the endpoint's address). */
  localAddrs(): readonly CustomAddr[];
  /** Sends one datagram; never throws (a datagram that cannot be sent is lost). */
  send(to: CustomAddr, data: Uint8Array): void;
  /** Registers the receive callback. */
  onReceive(callback: (from: CustomAddr, data: Uint8Array) => void): void;
  /** Releases the transport. */
  close(): Promise<void>;
}

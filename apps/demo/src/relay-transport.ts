/**
 * QUIC over an iroh relay: a datagram transport whose addresses are EndpointIds. Sending hands the
 * QUIC datagram to the relay for that endpoint; datagrams the relay delivers arrive from their sender's
 * EndpointId. This is the relay path of iroh's socket layer in its simplest form (the endpoint
 * package adds direct paths and path selection on top).
 */
import { PublicKey } from '@iroh-ts/base';
import type { UdpTransport } from '@iroh-ts/quic';
import type { RelayClient } from '@iroh-ts/relay';

export class RelayTransport implements UdpTransport {
  readonly localAddress: string;
  private callback: ((from: string, data: Uint8Array) => void) | undefined;
  private readonly peers = new Map<string, PublicKey>();

  constructor(
    private readonly client: RelayClient,
    localId: PublicKey,
  ) {
    this.localAddress = localId.toString();
    client.on('datagrams', ({ src, datagrams }) => {
      const from = src.toString();
      const { contents, segmentSize } = datagrams;
      if (!segmentSize) {
        this.callback?.(from, contents);
        return;
      }
      for (let at = 0; at < contents.length; at += segmentSize)
        this.callback?.(from, contents.subarray(at, Math.min(at + segmentSize, contents.length)));
    });
  }

  send(destination: string, data: Uint8Array): void {
    let peer = this.peers.get(destination);
    if (!peer) {
      try {
        peer = PublicKey.fromString(destination);
      } catch {
        return; // not an EndpointId: nothing to relay to (QUIC treats it as loss)
      }
      this.peers.set(destination, peer);
    }
    // The relay carries one QUIC datagram per frame; ECN is not tracked here.
    if (this.client.state === 'connected') this.client.sendDatagram(peer, data, 0);
  }

  onReceive(callback: (from: string, data: Uint8Array) => void): void {
    this.callback = callback;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

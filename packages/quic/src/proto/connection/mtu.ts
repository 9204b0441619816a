/**
 * Datagram PLPMTU discovery (RFC 8899), reduced to what iroh needs: once the handshake is confirmed,
 * probe the configured upper bound (iroh: 1452) with a PING padded to that size. An acknowledged probe
 * raises the MTU; a lost one leaves it and probing stops (a later search can refine this). Probes do
 * not count as in flight, so their loss never shrinks the congestion window.
 */
import type { ConnState } from './state.js';

/** The probe size to try now, or `undefined` when no probe should be sent. */
export function mtuProbeSize(s: ConnState): number | undefined {
  if (!s.handshakeConfirmed || s.mtuProbe.done || s.mtuProbe.inFlight || !s.path.validated) return undefined;
  const peerMax = s.peerParams?.maxUdpPayloadSize ?? 1200;
  const target = Math.min(s.config.maxMtu, peerMax);
  if (target <= s.mtu) {
    s.mtuProbe.done = true;
    return undefined;
  }
  return target;
}

/** A probe of `size` bytes was acknowledged: the path carries datagrams of that size. */
export function onMtuProbeAcked(s: ConnState, size: number): void {
  s.mtuProbe.inFlight = false;
  s.mtuProbe.done = true;
  if (size > s.mtu) {
    s.mtu = size;
    s.cc.onMtuChange(size);
  }
}

/** A probe was declared lost. */
export function onMtuProbeLost(s: ConnState): void {
  s.mtuProbe.inFlight = false;
  s.mtuProbe.done = true;
}

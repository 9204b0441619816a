/**
 * The receive path: splits a datagram into its coalesced packets, removes protection, drops duplicates,
 * and applies each frame to the connection.
 */

import { equalBytes } from '@iroh-ts/base';
import { initialKeys } from '../../crypto/initial.js';
import { openPacket } from '../../crypto/packet-protection.js';
import { verifyRetryIntegrity } from '../../crypto/retry.js';
import { TlsAlert } from '../../crypto/tls/alerts.js';
import { CodecError } from '../coding.js';
import {
  decodeFrames,
  type Frame,
  type FramePacketType,
  isAckEliciting,
  isFrameAllowed,
  isProbingFrame,
} from '../frame.js';
import { type PartialHeader, parseHeader } from '../packet.js';
import type { PacketSpace } from '../recovery/index.js';
import { TransportError } from '../transport-error.js';
import { onObservedAddress, onObservedAddressLost } from './address-discovery.js';
import { onCidFrameLost, onNewConnectionId, onRetireConnectionId } from './cids.js';
import { onMtuProbeAcked, onMtuProbeLost } from './mtu.js';
import {
  acceptRemotePath,
  onMaxPathId,
  onMultipathItemLost,
  onPathAbandon,
  onPathNewConnectionId,
  onPathRetireConnectionId,
  onPathStatus,
  onPathsBlocked,
} from './multipath.js';
import { onNatFrame, onNatFrameLost, openNatPaths } from './nat-connection.js';
import { countReceived, onPathChallenge, onPathResponse, onPeerAddressChange } from './path.js';
import type { SentItem } from './sent-record.js';
import type { ConnState } from './state.js';

const SPACE_OF: Partial<Record<PartialHeader['type'], PacketSpace>> = {
  initial: 'initial',
  handshake: 'handshake',
  short: 'application',
};
const PACKET_TYPE: Record<PacketSpace, FramePacketType> = {
  initial: 'initial',
  handshake: 'handshake',
  application: 'oneRtt',
};

/** Handles one UDP datagram from `from`. Never throws: errors close the connection. */
export function receiveDatagram(s: ConnState, now: number, from: string, data: Uint8Array): void {
  if (s.phase === 'drained') return;
  try {
    receiveOn(s, now, from, data);
  } finally {
    s.use(s.active);
  }
}

function receiveOn(s: ConnState, now: number, from: string, data: Uint8Array): void {
  s.bytesReceived += data.length;
  // With multipath, the path is known from the destination CID (short headers only).
  if (s.mp && data.length > 0 && (data[0]! & 0x80) === 0 && data.length > s.localCid.length) {
    const dcid = data.subarray(1, 1 + s.localCid.length);
    if (!s.cids.matchLocal(dcid) && s.mp.matchLocal(dcid)) {
      const ctx = s.paths.get(s.mp.packetPathId);
      if (ctx) s.use(ctx);
    }
  }
  countReceived(s, from, data.length);
  let offset = 0;
  let opened = false;
  while (offset < data.length) {
    let h: PartialHeader;
    try {
      h = parseHeader(data, offset, s.localCid.length);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      break; // the rest of the datagram is unusable
    }
    offset = h.end;
    if (h.type === 'retry') {
      receiveRetry(s, now, data.subarray(h.start, h.end), h);
      return;
    }
    try {
      if (receivePacket(s, now, from, data, h)) opened = true;
    } catch (e) {
      if (e instanceof TransportError) s.failWith(now, e);
      else if (e instanceof TlsAlert) s.failWith(now, TransportError.crypto(e.description, e.message));
      else throw e;
      return;
    }
  }
  // Nothing in it authenticated: it may be the peer's stateless reset (RFC 9000 §10.3.1).
  if (!opened && s.cids.isStatelessReset(data)) {
    s.startDrain(now, { kind: 'stateless-reset' }, false);
  }
}

/**
 * A client follows one Retry (RFC 9000 §17.2.5): it checks the integrity tag against its first DCID,
 * adopts the server's new CID and token, derives new Initial keys from that CID, and sends its
 * ClientHello again (all Initial data so far counts as lost; packet numbers keep increasing).
 */
function receiveRetry(s: ConnState, now: number, packet: Uint8Array, h: PartialHeader): void {
  if (s.side !== 'client' || s.serverSeen || s.retrySourceCid !== undefined) return;
  if (!equalBytes(h.dcid, s.localCid) || !h.scid || !h.token || h.token.length === 0) return;
  if (equalBytes(h.scid, s.path.remoteCid) || !verifyRetryIntegrity(s.originalDcid, packet)) return;
  s.initialToken = h.token.slice();
  s.retrySourceCid = h.scid.slice();
  s.path.remoteCid = h.scid.slice();
  const keys = initialKeys(s.path.remoteCid, 'client');
  const initial = s.spaces.initial;
  initial.localKeys = keys.local;
  initial.remoteKeys = keys.remote;
  let firstSent: number | undefined;
  for (const p of initial.sent.discardAll()) {
    firstSent ??= p.timeSent;
    for (const item of p.payload)
      if (item.kind === 'crypto') initial.cryptoSend.onLost(item.offset, item.length);
  }
  // The Retry took one round trip: a better first RTT estimate than the default 333 ms, so that the
  // pacer does not hold back the new Initial.
  if (firstSent !== undefined) s.rtt.resetInitialRtt(Math.max(now - firstSent, 1));
  s.lossTimerDirty = true;
}

/** Opens and processes one packet; returns whether it authenticated. */
export function receivePacket(
  s: ConnState,
  now: number,
  from: string,
  data: Uint8Array,
  h: PartialHeader,
): boolean {
  const space = SPACE_OF[h.type];
  if (!space) return false; // 0-RTT, Retry and version negotiation are handled elsewhere or not supported yet
  if (h.type !== 'short' && h.version !== 1) return false;
  if (s.mp) s.mp.packetPathId = 0;
  if (!s.cids.matchLocal(h.dcid)) {
    if (s.mp && h.type === 'short' && s.mp.matchLocal(h.dcid)) {
      // A packet of another path: switch to it (the server accepts paths the client opens).
      const id = s.mp.packetPathId;
      const ctx = s.paths.get(id) ?? acceptRemotePath(s, now, id, from);
      if (!ctx) return false;
      if (ctx !== s.cur) {
        s.use(ctx);
        if (ctx.path.bytesReceived === 0) countReceived(s, from, data.length);
      }
    } else if (!(s.side === 'server' && space === 'initial' && equalBytes(h.dcid, s.originalDcid))) {
      return false;
    }
  } else if (s.mp && s.cur.id !== 0) {
    s.use(s.paths.get(0) ?? s.cur);
  }
  const pathId = s.cur.id;
  // A string compare: the usual case (same address) costs nothing more.
  const newAddress = from !== s.path.remote && space === 'application' && s.handshakeConfirmed;
  // Clients never follow the server elsewhere: packets from unknown server addresses are dropped (RFC 9000 §9).
  // With multipath they are processed (NAT traversal probes come from new addresses) but never
  // move a path: only the server follows a peer's address change.
  if (newAddress && s.side === 'client' && !s.mp) return false;
  const sp = s.spaces[space];
  if (sp.discarded) return false;
  if (!sp.remoteKeys) {
    if (s.undecryptable.length < s.config.maxBufferedUndecryptable) {
      s.undecryptable.push({ space, data: data.slice(h.start, h.end), from });
    }
    return false;
  }
  const oneRtt = space === 'application' ? s.oneRtt : undefined;
  const opened = openPacket(sp.remoteKeys, data, h, sp.largestReceived, oneRtt, pathId);
  if (!opened) return false; // forged, corrupted or not for these keys: drop silently
  // The peer's first packet of a new key phase: we switch phase too (RFC 9001 §6.2).
  if (oneRtt?.onOpened(opened.keyPhase, opened.pn)) s.syncOneRttKeys();
  if (opened.reservedBitsSet) throw TransportError.protocolViolation('reserved header bits set');
  s.stats.packetsReceived++;

  if (s.side === 'client' && !s.serverSeen && h.scid) {
    // The server's first packet fixes its CID and, with iroh's handshake server migration, its address.
    s.serverSeen = true;
    s.path.remoteCid = h.scid.slice();
    if (s.allowServerMigration) s.path.remote = from;
  }
  if (s.side === 'server' && space === 'handshake' && !s.path.validated) {
    // A Handshake packet proves the client saw our Initial (RFC 9000 §8.1); Initial keys go.
    s.path.validated = true;
  }
  if (s.side === 'server' && space === 'handshake') s.discardSpace('initial');

  let ackEliciting = false;
  let immediate = false;
  let nonProbing = false;
  const type = PACKET_TYPE[space];
  decodeFrames(opened.payload, (f) => {
    if (!isFrameAllowed(f.type, type))
      throw TransportError.protocolViolation(`${f.type} frame not allowed in ${type} packet`);
    if (isAckEliciting(f.type)) ackEliciting = true;
    if (f.type === 'immediateAck') immediate = true;
    if (newAddress && !isProbingFrame(f.type)) nonProbing = true;
    onFrame(s, now, space, f, from, data.length);
  });
  const largest = opened.pn > sp.largestReceived;
  if (
    !sp.onReceived(
      opened.pn,
      now,
      ackEliciting,
      immediate,
      s.config.maxAckDelay,
      s.config.ackElicitingThreshold,
    )
  )
    return true;
  // The peer moved (NAT rebinding or migration): only a non-probing packet that is the newest so far
  // makes us follow it (RFC 9000 §9.3), and only until the new address fails validation.
  if (newAddress && nonProbing && largest && !s.isClosed && s.side === 'server')
    onPeerAddressChange(s, now, from, data.length);
  if (s.idleTimeout > 0) s.idleDeadline = now + Math.max(s.idleTimeout, 3 * s.rtt.pto(s.peerMaxAckDelay));
  s.cur.lastReceiveTime = now;
  s.elicitingSinceReceive = false;
  s.drainCrypto(now);
  if (s.side === 'client' && space === 'handshake') s.discardSpace('initial');
  retryUndecryptable(s, now);
  return true;
}

function retryUndecryptable(s: ConnState, now: number): void {
  if (s.undecryptable.length === 0) return;
  const ready = s.undecryptable.filter((u) => s.spaces[u.space].remoteKeys !== undefined);
  if (ready.length === 0) return;
  const keep = s.undecryptable.filter((u) => s.spaces[u.space].remoteKeys === undefined);
  s.undecryptable.length = 0;
  s.undecryptable.push(...keep);
  for (const u of ready) {
    try {
      receivePacket(s, now, u.from, u.data, parseHeader(u.data, 0, s.localCid.length));
    } catch (e) {
      if (e instanceof CodecError) continue;
      throw e;
    }
  }
}

function onFrame(s: ConnState, now: number, space: PacketSpace, f: Frame, from: string, size: number): void {
  if (s.phase === 'closing' && f.type !== 'connectionClose' && f.type !== 'applicationClose') {
    // While closing we only answer with CONNECTION_CLOSE (RFC 9000 §10.2.1).
    s.closeSendPending = true;
    return;
  }
  switch (f.type) {
    case 'padding':
    case 'ping':
      return;
    case 'ack': {
      if (f.pathId !== undefined && (!s.mp || space !== 'application'))
        throw TransportError.protocolViolation('PATH_ACK without multipath', 0x3e);
      // With multipath an ACK is for path 0, a PATH_ACK for its path (maybe not the one it came on).
      const target = s.mp && space === 'application' ? s.paths.get(f.pathId ?? 0) : s.cur;
      if (!target) return; // a path we already forgot
      const before = s.cur;
      if (target !== before) s.use(target); // usually the path it came on: no switch
      try {
        s.onAck(
          space,
          f,
          now,
          (item) => onAcked(s, space, item),
          (item) => onLost(s, space, item),
        );
        s.lossTimerDirty = true;
      } finally {
        if (s.cur !== before) s.use(before);
      }
      return;
    }
    case 'crypto': {
      const sp = s.spaces[space];
      if (f.offset + f.data.length - sp.cryptoRecv.readOffset > s.config.cryptoBufferSize) {
        throw TransportError.cryptoBufferExceeded(
          `more than ${s.config.cryptoBufferSize} bytes of CRYPTO data buffered`,
        );
      }
      sp.cryptoRecv.insert(f.offset, f.data);
      const level = space === 'application' ? 'one-rtt' : space;
      for (let c = sp.cryptoRecv.readChunk(); c; c = sp.cryptoRecv.readChunk())
        s.crypto.readHandshake(level, c);
      return;
    }
    case 'newToken':
      if (s.side === 'server') throw TransportError.protocolViolation('NEW_TOKEN from a client', 0x07);
      // For the endpoint to keep: the next connection to this server sends it in its Initial.
      s.endpointEvents.push({ type: 'new-token', token: f.token.slice() });
      return;
    case 'handshakeDone':
      if (s.side === 'server') throw TransportError.protocolViolation('HANDSHAKE_DONE from a client', 0x1e);
      s.confirmHandshake(now);
      return;
    case 'connectionClose':
      s.startDrain(
        now,
        {
          kind: 'transport',
          errorCode: f.errorCode,
          frameType: f.frameType,
          reason: new TextDecoder().decode(f.reason),
          remote: true,
        },
        false,
      );
      return;
    case 'applicationClose':
      s.startDrain(
        now,
        { kind: 'application', errorCode: f.errorCode, reason: f.reason.slice(), remote: true },
        false,
      );
      return;
    case 'datagram':
      if (s.config.maxDatagramFrameSize === 0)
        throw TransportError.protocolViolation('DATAGRAM frames not negotiated', 0x30);
      if (f.data.length > s.config.maxDatagramFrameSize)
        throw TransportError.protocolViolation('DATAGRAM frame too large', 0x30);
      s.datagramsIn.push(f.data.slice());
      s.datagramsInBytes += f.data.length;
      while (s.datagramsInBytes > s.config.datagramReceiveBufferSize && s.datagramsIn.length > 1) {
        s.datagramsInBytes -= s.datagramsIn.shift()!.length;
      }
      s.events.push({ type: 'datagram-received' });
      return;
    case 'pathChallenge':
      onPathChallenge(s, from, f.data, size);
      return;
    case 'pathResponse':
      // An answer to a NAT traversal probe (off-path), or to a path validation.
      if (s.nat?.onPathResponse(from, f.data)) openNatPaths(s, now);
      else onPathResponse(s, now, f.data);
      return;
    case 'newConnectionId':
      if (f.pathId !== undefined && !s.mp)
        throw TransportError.protocolViolation('PATH_NEW_CONNECTION_ID without multipath', 0x3e78);
      if (f.pathId) onPathNewConnectionId(s, now, f);
      else onNewConnectionId(s, f);
      return;
    case 'retireConnectionId':
      if (f.pathId !== undefined && !s.mp)
        throw TransportError.protocolViolation('PATH_RETIRE_CONNECTION_ID without multipath', 0x3e79);
      if (f.pathId) onPathRetireConnectionId(s, f);
      else onRetireConnectionId(s, f);
      return;
    case 'pathAbandon':
      needMultipath(s, f);
      onPathAbandon(s, now, f);
      return;
    case 'pathStatus':
      needMultipath(s, f);
      onPathStatus(s, f);
      return;
    case 'maxPathId':
      needMultipath(s, f);
      onMaxPathId(s, now, f);
      return;
    case 'pathsBlocked':
    case 'pathCidsBlocked':
      needMultipath(s, f);
      onPathsBlocked(s, f);
      return;
    case 'addAddress':
    case 'reachOut':
    case 'removeAddress':
      onNatFrame(s, now, f);
      return;
    case 'observedAddress':
      onObservedAddress(s, f);
      return;
    case 'ackFrequency':
    case 'immediateAck':
      // ACK frequency comes later; these are accepted and ignored.
      return;
    default:
      s.streams.onFrame(f);
      for (let ev = s.streams.pollEvent(); ev; ev = s.streams.pollEvent())
        s.events.push({ type: 'stream', event: ev });
  }
}

/** Multipath frames are a PROTOCOL_VIOLATION unless multipath was negotiated. */
function needMultipath(s: ConnState, f: Frame): void {
  if (!s.mp) throw TransportError.protocolViolation(`${f.type} frame without multipath negotiated`);
}

/** A sent item was acknowledged. */
export function onAcked(s: ConnState, space: PacketSpace, item: SentItem): void {
  switch (item.kind) {
    case 'stream':
      s.streams.onStreamAcked(item.id, item.offset, item.length, item.fin);
      for (let ev = s.streams.pollEvent(); ev; ev = s.streams.pollEvent())
        s.events.push({ type: 'stream', event: ev });
      return;
    case 'crypto':
      s.spaces[space].cryptoSend.onAck(item.offset, item.length);
      return;
    case 'control':
      if (item.frame.type === 'resetStream') s.streams.onResetAcked(item.frame.streamId);
      return;
    case 'mtu-probe':
      onMtuProbeAcked(s, item.size);
      return;
    default:
      return;
  }
}

/** A sent item was lost: queue what must be sent again. */
export function onLost(s: ConnState, space: PacketSpace, item: SentItem): void {
  switch (item.kind) {
    case 'stream':
      s.streams.onStreamLost(item.id, item.offset, item.length, item.fin);
      return;
    case 'crypto':
      s.spaces[space].cryptoSend.onLost(item.offset, item.length);
      return;
    case 'control':
      s.streams.onControlLost(item.frame);
      return;
    case 'handshake-done':
      s.handshakeDonePending = true;
      return;
    case 'new-cid':
    case 'retire-cid':
      onCidFrameLost(s, item);
      return;
    case 'new-token':
      s.newTokenPending = true;
      return;
    case 'mtu-probe':
      onMtuProbeLost(s);
      return;
    case 'nat':
      onNatFrameLost(s, item.frame);
      return;
    case 'observed-address':
      onObservedAddressLost(s, item);
      return;
    case 'path-abandon':
    case 'path-status':
    case 'max-path-id':
    case 'path-new-cid':
    case 'path-retire-cid':
      onMultipathItemLost(s, item);
      return;
    default:
      return;
  }
}

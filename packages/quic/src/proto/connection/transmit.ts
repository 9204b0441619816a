/**
 * The transmit path: fills one UDP datagram with coalesced packets (Initial, Handshake, 1-RTT), within
 * the congestion window, the pacer, the anti-amplification limit and the path MTU.
 */

import { sealPacket, sealPacketInto } from '../../crypto/packet-protection.js';
import { Writer } from '../coding.js';
import {
  cryptoDataCapacity,
  datagramDataCapacity,
  encodeFrame,
  encodeStreamFrame,
  type Frame,
  frameSize,
  streamDataCapacity,
  varintSize,
} from '../frame.js';
import { packetNumberLength, QUIC_V1, writeLongHeader, writeShortHeader } from '../packet.js';
import type { PacketSpace } from '../recovery/index.js';
import { pollObservedAddress } from './address-discovery.js';
import { pollCidFrame } from './cids.js';
import { datagramBuffer } from './datagram-slab.js';
import { mtuProbeSize } from './mtu.js';
import { pollMultipathFrame } from './multipath.js';
import { pollNatFrame } from './nat-connection.js';
import { pathProbePending } from './path.js';
import type { PathCtx } from './path-ctx.js';
import { buildNatProbe, buildPathProbe } from './path-probe.js';
import type { SentItem, SentRecord } from './sent-record.js';
import type { ConnState } from './state.js';

/** A datagram to send. */
export interface Transmit {
  readonly destination: string;
  readonly data: Uint8Array;
}

const TAG = 16;
const SPACES: readonly PacketSpace[] = ['initial', 'handshake', 'application'];
const MIN_INITIAL_DATAGRAM = 1200;

interface Planned {
  readonly space: PacketSpace;
  readonly pn: number;
  readonly pnLength: 1 | 2 | 3 | 4;
  readonly headerSize: number;
  readonly payload: Writer;
  readonly record: SentRecord;
  ackEliciting: boolean;
}

function headerSize(s: ConnState, space: PacketSpace, pnLength: number): number {
  const dcid = s.path.remoteCid;
  if (space === 'application') return 1 + dcid.length + pnLength;
  // first byte, version, dcid len+dcid, scid len+scid, [token length+token], 2-byte length, packet number
  const token = s.initialToken?.length ?? 0;
  const tokenField = space === 'initial' ? varintSize(token) + token : 0;
  return 1 + 4 + 1 + dcid.length + 1 + s.localCid.length + tokenField + 2 + pnLength;
}

/**
 * Writes the header of a packet in `space` (up to and including the packet number) and returns the
 * packet number's offset. Every packet builder goes through here, so that Initial packets always carry
 * the Retry token and 1-RTT packets the current key phase.
 */
function writePacketHeader(
  s: ConnState,
  w: Writer,
  space: PacketSpace,
  pn: number,
  pnLength: 1 | 2 | 3 | 4,
  payloadLength: number,
): number {
  if (space === 'application')
    return writeShortHeader(w, s.path.remoteCid, pn, pnLength, s.oneRtt?.phase ?? false);
  return writeLongHeader(w, {
    type: space,
    version: QUIC_V1,
    dcid: s.path.remoteCid,
    scid: s.localCid,
    token: s.initialToken ?? NO_TOKEN,
    pn,
    pnLength,
    payloadLength,
  });
}

const NO_TOKEN = new Uint8Array(0);

/** True when the congestion window or the pacer holds back new ack-eliciting packets now. */
function isCongested(s: ConnState, now: number): boolean {
  const inFlight =
    s.spaces.initial.sent.bytesInFlight +
    s.spaces.handshake.sent.bytesInFlight +
    s.spaces.application.sent.bytesInFlight;
  if (inFlight >= s.cc.window) return true;
  return s.pacer.nextSendTime(now, s.mtu, s.cc.window, s.rtt.smoothed, s.mtu) > now;
}

/**
 * Builds the next datagram, or returns `undefined` when nothing may or needs to be sent now. With
 * multipath, what a path owes of its own (path probes, its ACKs, PTO probes, keep-alives) goes out on
 * it first; application data then goes on the active path.
 */
export function buildDatagram(s: ConnState, now: number): Transmit | undefined {
  if (s.phase === 'draining' || s.phase === 'drained') return undefined;
  if (s.phase === 'closing') return s.closeSendPending ? buildClose(s) : undefined;
  if (!s.mp) return buildOn(s, now, true);
  try {
    if (s.nat && s.nat.pendingProbes.size > 0 && s.active.usable) {
      s.use(s.active);
      const probe = buildNatProbe(s, now);
      if (probe) return probe;
    }
    for (const ctx of s.paths.values()) {
      // A path still waiting for the peer's CIDs cannot send yet; one that owes nothing is skipped.
      if (ctx === s.active || ctx.abandoned || ctx.path.remoteCidSeq < 0 || !owesSomething(ctx)) continue;
      s.use(ctx);
      const t = buildOn(s, now, false);
      if (t) return t;
    }
    s.use(s.active);
    return buildOn(s, now, true);
  } finally {
    s.use(s.active);
  }
}

/** Builds a datagram on the current path; `data`: it is the path for application data. */
function buildOn(s: ConnState, now: number, data: boolean): Transmit | undefined {
  // PATH_CHALLENGE / PATH_RESPONSE go first, alone, to the address they probe.
  if (pathProbePending(s)) {
    const probe = buildPathProbe(s, now);
    if (probe) return probe;
  }
  if (!data && !s.path.validated) return undefined; // nothing else goes on a path being validated
  // The path MTU probe never goes first in a flush: what is ready now (an answer, an ACK) leaves
  // ahead of it; the probe follows in the same flush, or goes alone when nothing else is ready.
  if (data && s.lastBuildAt === now) {
    const probe = mtuProbeSize(s);
    if (probe !== undefined && !isCongested(s, now)) return buildMtuProbe(s, now, probe);
  }
  const path = s.path;
  let budget = s.mtu;
  if (!path.validated) budget = Math.min(budget, path.budget);
  if (budget < 48) return undefined;
  const probing = s.spaces.initial.probes + s.spaces.handshake.probes + s.spaces.application.probes > 0;
  const congested = !probing && isCongested(s, now);

  const planned: Planned[] = [];
  let used = 0;
  for (const space of SPACES) {
    const sp = s.spaces[space];
    if (!sp.localKeys || sp.discarded) continue;
    if (space === 'application' && !s.handshakeComplete && s.side === 'client') {
      // 0-RTT is not supported yet; 1-RTT packets go once the handshake completes.
      if (!s.handshakeComplete) continue;
    }
    const pn = sp.nextPn;
    const pnLength = packetNumberLength(pn, sp.sent.largestAcked);
    const hdr = headerSize(s, space, pnLength);
    const room = budget - used - hdr - TAG;
    if (room < 8) break;
    const p = fillPacket(
      s,
      s.scratch.payloads[planned.length]!.reset(),
      space,
      now,
      room,
      congested,
      pn,
      pnLength,
      hdr,
      data,
    );
    if (!p) continue;
    planned.push(p);
    used += hdr + p.payload.len + TAG;
  }
  if (planned.length === 0) {
    const probe = congested || !data ? undefined : mtuProbeSize(s);
    return probe === undefined ? undefined : buildMtuProbe(s, now, probe);
  }
  s.lastBuildAt = now;

  // Datagrams carrying Initial packets are padded to 1200 bytes (client always, server when ack-eliciting).
  let hasInitial = false;
  let anyEliciting = false;
  for (const p of planned) {
    if (p.space === 'initial' && (s.side === 'client' || p.ackEliciting)) hasInitial = true;
    if (p.ackEliciting) anyEliciting = true;
  }
  const last = planned[planned.length - 1]!;
  if (hasInitial && used < MIN_INITIAL_DATAGRAM) {
    const pad = Math.min(MIN_INITIAL_DATAGRAM, budget) - used;
    for (let i = 0; i < pad; i++) last.payload.u8(0);
    used += pad;
  }
  // Header protection samples 16 bytes starting 4 bytes after the packet number.
  for (const p of planned) while (p.pnLength + p.payload.len < 4) p.payload.u8(0);

  let total = 0;
  for (const p of planned) total += p.headerSize + p.payload.len + TAG;
  const out = datagramBuffer(total);
  let at = 0;
  let sentHandshake = false;
  for (const p of planned) {
    const sp = s.spaces[p.space];
    const w = s.scratch.header.reset();
    const pnOffset = writePacketHeader(s, w, p.space, p.pn, p.pnLength, p.payload.len + TAG);
    const packetLength = sealPacketInto(
      sp.localKeys!,
      out,
      at,
      w.view(),
      pnOffset,
      p.pnLength,
      p.pn,
      p.payload.view(),
      s.cur.id,
    );
    at += packetLength;
    sp.nextPn++;
    if (p.space === 'application') s.oneRtt?.onSent(p.pn);
    const inFlightPacket = p.ackEliciting || p.record.length === 0 || hasInitial;
    sp.sent.onSent({
      pn: p.pn,
      timeSent: now,
      size: packetLength,
      ackEliciting: p.ackEliciting,
      inFlight: inFlightPacket,
      payload: p.record,
    });
    if (inFlightPacket) s.cc.onPacketSent(now, packetLength);
    if (p.ackEliciting && sp.probes > 0) sp.probes--;
    if (p.space === 'handshake') sentHandshake = true;
    s.stats.packetsSent++;
  }
  s.bytesSent += out.length;
  path.bytesSent += out.length;
  s.pacer.onTransmit(out.length);
  if (anyEliciting) {
    s.lastSendTime = now;
    s.cur.lastSendTime = now;
    // RFC 9000 §10.1: sending restarts the idle timer only for the first ack-eliciting packet since
    // the peer was last heard; otherwise probes into silence would keep a dead connection (or a
    // handshake nobody answers) alive forever.
    if (!s.elicitingSinceReceive && s.idleTimeout > 0 && s.idleDeadline !== undefined) {
      s.idleDeadline = Math.max(
        s.idleDeadline,
        now + Math.max(s.idleTimeout, 3 * s.rtt.pto(s.peerMaxAckDelay)),
      );
    }
    s.elicitingSinceReceive = true;
  }
  // A client discards its Initial keys when it first sends a Handshake packet (RFC 9001 §4.9.1).
  if (sentHandshake && s.side === 'client') s.discardSpace('initial');
  s.lossTimerDirty = true;
  return { destination: path.remote, data: out };
}

/** Encodes `f` into `w` and records `item` for loss recovery. */
function put(w: Writer, record: SentItem[], f: Frame, item?: SentItem): void {
  encodeFrame(w, f);
  if (item) record.push(item);
}

/** Fills the payload of one packet in `space`; `undefined` when there is nothing to put in it. */
function fillPacket(
  s: ConnState,
  w: Writer,
  space: PacketSpace,
  now: number,
  room: number,
  congested: boolean,
  pn: number,
  pnLength: 1 | 2 | 3 | 4,
  hdr: number,
  data: boolean,
): Planned | undefined {
  const sp = s.spaces[space];
  let eliciting = false;

  const ackDue = sp.ackPending && (sp.ackNow || (sp.ackDeadline !== undefined && sp.ackDeadline <= now));
  const appWants =
    space === 'application' && (s.cur.pingPending || s.cur.observedPending || (data && appHasData(s)));
  const wantsData = !congested && (sp.cryptoSend.hasPending || sp.probes > 0 || appWants);
  if (!ackDue && !wantsData && !(sp.ackPending && wantsData)) return undefined;

  const record: SentItem[] = [];
  if (sp.ackPending && (ackDue || wantsData)) {
    const ack = ackFrame(s, space, now);
    if (ack && frameSize(ack) <= room - w.len) {
      put(w, record, ack, { kind: 'ack', largest: sp.largestReceived });
      sp.onAckSent();
    }
  }
  if (!congested) {
    for (let c = sp.cryptoSend.poll(cryptoDataCapacity(room - w.len, sp.cryptoSend.unsentOffset)); c; ) {
      put(
        w,
        record,
        { type: 'crypto', offset: c.offset, data: c.data },
        { kind: 'crypto', offset: c.offset, length: c.data.length },
      );
      eliciting = true;
      const cap = cryptoDataCapacity(room - w.len, sp.cryptoSend.unsentOffset);
      c = cap > 0 ? sp.cryptoSend.poll(cap) : undefined;
    }
    if (space === 'application') {
      const report = s.cur.observedPending ? pollObservedAddress(s, room - w.len) : undefined;
      if (report) {
        put(w, record, report.frame, report.item);
        eliciting = true;
      }
      if (data) eliciting = fillApplication(s, now, w, record, room) || eliciting;
      if (s.cur.pingPending && !eliciting && room - w.len >= 1) {
        put(w, record, { type: 'ping' }, { kind: 'ping' });
        eliciting = true;
      }
      if (eliciting) s.cur.pingPending = false;
    }
    if (!eliciting && sp.probes > 0 && room - w.len >= 1) {
      put(w, record, { type: 'ping' }, { kind: 'ping' });
      eliciting = true;
    }
  }
  if (w.len === 0) return undefined;
  return { space, pn, pnLength, headerSize: hdr, payload: w, record, ackEliciting: eliciting };
}

function appHasData(s: ConnState): boolean {
  return (
    s.mp?.framesPending === true ||
    s.nat?.framesPending === true ||
    mpStatusPending(s) ||
    s.handshakeDonePending ||
    s.pingPending ||
    s.cids.framesPending ||
    s.newTokenPending ||
    s.datagramsOut.length > 0 ||
    s.streams.hasPendingData ||
    s.streams.hasControlPending
  );
}

/** Control frames of one packet: one array, emptied before each use (the send path is not re-entrant). */
const CONTROL: Frame[] = [];

/**
 * 1-RTT frames other than ACK and CRYPTO, written into `w` while it is shorter than `room`. Returns
 * whether anything ack-eliciting was written.
 */
function fillApplication(s: ConnState, now: number, w: Writer, record: SentItem[], room: number): boolean {
  let eliciting = false;
  if (s.handshakeDonePending && room - w.len >= 1) {
    s.handshakeDonePending = false;
    put(w, record, { type: 'handshakeDone' }, { kind: 'handshake-done' });
    eliciting = true;
  }
  if (
    s.newTokenPending &&
    s.newToken &&
    room - w.len >= 1 + varintSize(s.newToken.length) + s.newToken.length
  ) {
    s.newTokenPending = false;
    put(w, record, { type: 'newToken', token: s.newToken }, { kind: 'new-token' });
    eliciting = true;
  }
  if (s.cids.framesPending)
    for (let c = pollCidFrame(s, room - w.len); c; c = pollCidFrame(s, room - w.len)) {
      put(w, record, c.frame, c.item);
      eliciting = true;
    }
  if (s.mp)
    for (let c = pollMultipathFrame(s, room - w.len); c; c = pollMultipathFrame(s, room - w.len)) {
      put(w, record, c.frame, c.item);
      eliciting = true;
    }
  if (s.nat?.framesPending)
    for (let c = pollNatFrame(s, room - w.len); c; c = pollNatFrame(s, room - w.len)) {
      put(w, record, c.frame, c.item);
      eliciting = true;
    }
  if (s.streams.hasControlPending) {
    CONTROL.length = 0;
    // Windows grow against the minimum RTT: a queue building up in front of a slow receiver inflates
    // the smoothed RTT, and must not talk the window into admitting even more in flight.
    s.streams.pollControlFrames(now, s.rtt.minRtt, CONTROL);
    for (const f of CONTROL) {
      if (frameSize(f) > room - w.len) {
        s.streams.onControlLost(f); // no room: requeue for the next packet
        continue;
      }
      put(w, record, f, { kind: 'control', frame: f });
      eliciting = true;
    }
    CONTROL.length = 0;
  }
  while (s.datagramsOut.length > 0) {
    const d = s.datagramsOut[0]!;
    if (datagramDataCapacity(room - w.len) < d.length) break;
    s.datagramsOut.shift();
    s.datagramsOutBytes -= d.length;
    put(w, record, { type: 'datagram', data: d });
    eliciting = true;
  }
  for (;;) {
    const left = room - w.len;
    if (left < 4) break;
    const next = s.streams.pollStreamData(left, streamDataCapacity);
    if (!next) break;
    eliciting = true;
    if ('type' in next) {
      put(w, record, next, { kind: 'control', frame: next });
      continue;
    }
    encodeStreamFrame(w, next.id, next.offset, next.fin, next.data);
    record.push({
      kind: 'stream',
      id: next.id,
      offset: next.offset,
      length: next.data.length,
      fin: next.fin,
    });
  }
  if (s.pingPending && !eliciting && room - w.len >= 1) {
    s.pingPending = false;
    put(w, record, { type: 'ping' }, { kind: 'ping' });
    eliciting = true;
  } else if (eliciting) {
    s.pingPending = false;
  }
  return eliciting;
}

function ackFrame(s: ConnState, space: PacketSpace, now: number): Frame | undefined {
  const sp = s.spaces[space];
  if (sp.received.isEmpty) return undefined;
  const delayUs = space === 'application' ? Math.max(0, (now - sp.largestReceivedTime) * 1000) : 0;
  return {
    type: 'ack',
    ackDelay: Math.floor(delayUs / 2 ** s.config.ackDelayExponent),
    // Encoded at once, before anything can change the set: no copy needed.
    ranges: sp.received,
    // With multipath, 1-RTT packets are acknowledged per path (PATH_ACK, path 0 included).
    pathId: s.mp && space === 'application' ? s.cur.id : undefined,
  };
}

/** A 1-RTT packet of exactly `size` bytes: PING and PADDING, not counted in flight. */
function buildMtuProbe(s: ConnState, now: number, size: number): Transmit | undefined {
  const sp = s.spaces.application;
  if (!sp.localKeys) return undefined;
  const pn = sp.nextPn;
  const pnLength = packetNumberLength(pn, sp.sent.largestAcked);
  const payload = s.scratch.payloads[0]!.reset();
  encodeFrame(payload, { type: 'ping' });
  const room = size - headerSize(s, 'application', pnLength) - TAG;
  while (payload.len < room) payload.u8(0);
  const h = s.scratch.header.reset();
  const pnOffset = writePacketHeader(s, h, 'application', pn, pnLength, payload.len + TAG);
  const packet = sealPacket(sp.localKeys, h.view(), pnOffset, pnLength, pn, payload.view(), s.cur.id);
  sp.nextPn++;
  s.oneRtt?.onSent(pn);
  sp.sent.onSent({
    pn,
    timeSent: now,
    size: packet.length,
    ackEliciting: true,
    inFlight: false,
    payload: [{ kind: 'mtu-probe', size }],
  });
  s.mtuProbe.inFlight = true;
  s.bytesSent += packet.length;
  s.path.bytesSent += packet.length;
  s.stats.packetsSent++;
  s.lossTimerDirty = true;
  return { destination: s.path.remote, data: packet };
}

/** A datagram with our CONNECTION_CLOSE in every space we still have keys for. */
function buildClose(s: ConnState): Transmit | undefined {
  s.closeSendPending = false;
  const c = s.closeFrame!;
  const parts: Uint8Array[] = [];
  for (const space of SPACES) {
    const sp = s.spaces[space];
    if (!sp.localKeys || sp.discarded) continue;
    if (space === 'application' && !s.handshakeComplete) continue;
    const w = new Writer(64);
    // Application errors may not be revealed before the handshake completes (RFC 9000 §10.2.3).
    const frame: Frame =
      c.app && space === 'application'
        ? { type: 'applicationClose', errorCode: c.errorCode, reason: c.reason }
        : c.app
          ? { type: 'connectionClose', errorCode: 0x0cn, frameType: 0, reason: new Uint8Array(0) }
          : { type: 'connectionClose', errorCode: c.errorCode, frameType: c.frameType, reason: c.reason };
    encodeFrame(w, frame);
    const pnLength = packetNumberLength(sp.nextPn, sp.sent.largestAcked);
    while (pnLength + w.len < 4) w.u8(0);
    const h = new Writer(64);
    const pnOffset = writePacketHeader(s, h, space, sp.nextPn, pnLength, w.len + TAG);
    parts.push(sealPacket(sp.localKeys, h.view(), pnOffset, pnLength, sp.nextPn, w.view(), s.cur.id));
    sp.nextPn++;
  }
  if (parts.length === 0) return undefined;
  let size = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  size = 0;
  for (const p of parts) {
    out.set(p, size);
    size += p.length;
  }
  s.bytesSent += out.length;
  s.path.bytesSent += out.length;
  return { destination: s.path.remote, data: out };
}

/** Whether some path owes a PATH_STATUS or PATH_ABANDON frame. */
function mpStatusPending(s: ConnState): boolean {
  if (!s.mp) return false;
  for (const p of s.paths.values()) if (p.statusPending || p.abandonPending !== undefined) return true;
  return false;
}

/** Whether a non-active path has anything of its own to send (probes, ACKs, PINGs, reports). */
function owesSomething(ctx: PathCtx): boolean {
  const sp = ctx.space;
  return (
    ctx.path.challengePending ||
    ctx.pathResponses.length > 0 ||
    sp.ackPending ||
    sp.probes > 0 ||
    ctx.pingPending ||
    ctx.observedPending
  );
}

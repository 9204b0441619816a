/**
 * A QUIC endpoint, sans-IO: routes each datagram to its connection by Destination Connection ID (any of
 * the CIDs the connection issued), turns a client's first Initial into an {@link Incoming} the
 * application may accept, answers datagrams of unknown versions with Version Negotiation (RFC 9000
 * §5.2, §6) and short-header packets for unknown connections with a stateless reset (§10.3), and
 * issues and checks address-validation tokens (Retry and NEW_TOKEN, §8.1).
 */
import { equalBytes, hexEncode } from '@iroh-ts/base';
import { initialKeys } from '../crypto/initial.js';
import { sealPacket } from '../crypto/packet-protection.js';
import { retryIntegrityTag } from '../crypto/retry.js';
import type { CryptoSession } from '../crypto/session.js';
import { AddressTokens, TokenStore } from './address-token.js';
import { CodecError, Writer } from './coding.js';
import type { TransportConfig } from './connection/config.js';
import { Connection, type ConnectionOptions } from './connection/connection.js';
import type { Transmit } from './connection/transmit.js';
import { encodeFrame } from './frame.js';
import { parseHeader, QUIC_V1, writeLongHeader } from './packet.js';
import { MIN_STATELESS_RESET, RESET_TOKEN_LENGTH, StatelessResets } from './stateless-reset.js';
import { TransportErrorCode } from './transport-error.js';

/** Endpoint-wide settings. */
export interface EndpointConfig {
  /** Randomness for connection IDs, tokens and the TLS sessions. */
  readonly random: (n: number) => Uint8Array;
  /** Length of the connection IDs we issue (iroh: 8). */
  readonly cidLength?: number;
  /** Transport settings for new connections. */
  readonly transport?: Partial<TransportConfig>;
  /** Most connections accepted but not yet taken by the application; further Initials are dropped. */
  readonly maxPendingIncoming?: number;
  /**
   * Validate client addresses with a Retry before accepting (RFC 9000 §8.1.2): costs one round trip,
   * protects against amplification and spoofed connection floods.
   */
  readonly requireRetry?: boolean;
  /**
   * Server: give each client a NEW_TOKEN token after the handshake, which lets its next connection
   * skip the Retry (RFC 9000 §8.1.3).
   * @default true
   */
  readonly sendNewTokens?: boolean;
  /** Server: how long Retry and NEW_TOKEN tokens are accepted, ms. @default 10 s and 14 days */
  readonly tokenLifetimes?: { readonly retry?: number; readonly newToken?: number };
  /** Client: servers whose NEW_TOKEN tokens are remembered (least recently updated forgotten first). @default 256 */
  readonly maxTokenServers?: number;
  /** Stateless resets sent per second at most. @default 100 */
  readonly maxStatelessResetsPerSecond?: number;
}

/** A client's first Initial that the application may accept or refuse. */
export interface Incoming {
  readonly id: number;
  readonly remote: string;
  /** The DCID of the client's first Initial. */
  readonly originalDcid: Uint8Array;
  /** The client's SCID. */
  readonly clientCid: Uint8Array;
  /** After a Retry: the CID the Retry gave the client (the DCID it now uses). */
  readonly retrySourceCid: Uint8Array | undefined;
  /** Whether a Retry or NEW_TOKEN token validated the client's address (no amplification limit). */
  readonly addressValidated: boolean;
  /** The datagram(s) received so far, replayed into the connection on accept. */
  readonly datagrams: Uint8Array[];
  readonly receivedAt: number;
}

/** What happened to a datagram. */
export type DatagramOutcome =
  | { readonly kind: 'connection'; readonly connection: Connection }
  | { readonly kind: 'incoming'; readonly incoming: Incoming }
  | { readonly kind: 'dropped'; readonly reason: string }
  | { readonly kind: 'transmit'; readonly transmit: Transmit };

/** Connection routing and creation for one local socket. */
export class Endpoint {
  readonly config: EndpointConfig;
  private readonly cidLength: number;
  private readonly byCid = new Map<string, Connection>();
  /** The last CID routed and its connection: most datagrams in a row belong to one connection. */
  private lastRoute: { readonly cid: Uint8Array; readonly conn: Connection } | undefined;
  /** Stateless reset tokens of the peer CIDs our connections send with. */
  private readonly byResetToken = new Map<string, Connection>();
  private readonly pending = new Map<string, Incoming>();
  private nextIncoming = 1;
  private readonly tokens: AddressTokens;
  private readonly resets: StatelessResets;
  /** Client: NEW_TOKEN tokens by server address, and the server address of each client connection. */
  private readonly tokenStore: TokenStore;
  private readonly serverOf = new WeakMap<Connection, string>();
  private readonly generateCid = () => {
    const cid = this.newCid();
    return { cid, resetToken: this.resets.token(cid) };
  };

  constructor(config: EndpointConfig) {
    this.config = config;
    this.cidLength = config.cidLength ?? 8;
    this.tokens = new AddressTokens(config.random, config.tokenLifetimes);
    this.resets = new StatelessResets(config.random, config.maxStatelessResetsPerSecond);
    this.tokenStore = new TokenStore(config.maxTokenServers);
  }

  /** Number of live connections. */
  get connectionCount(): number {
    return new Set(this.byCid.values()).size;
  }

  /** Number of connection IDs routed (all connections). */
  get routedCids(): number {
    return this.byCid.size;
  }

  /** Client: whether a NEW_TOKEN token from `server` waits for the next connection to it. */
  hasToken(server: string): boolean {
    return this.tokenStore.has(server);
  }

  /** Starts a client connection to `remote`. */
  connect(
    now: number,
    remote: string,
    createCrypto: (tp: Uint8Array) => CryptoSession,
    options: Partial<Pick<ConnectionOptions, 'allowServerMigration' | 'transportParameters' | 'config'>> = {},
  ): Connection {
    const localCid = this.newCid();
    const conn = new Connection({
      side: 'client',
      now,
      random: this.config.random,
      remote,
      localCid,
      remoteCid: this.config.random(20),
      createCrypto,
      config: { ...this.config.transport, ...options.config },
      allowServerMigration: options.allowServerMigration,
      transportParameters: options.transportParameters,
      cidGenerator: this.generateCid,
      token: this.tokenStore.take(remote),
    });
    this.byCid.set(hexEncode(localCid), conn);
    this.serverOf.set(conn, remote);
    return conn;
  }

  /** Routes a received datagram. */
  handleDatagram(now: number, from: string, data: Uint8Array): DatagramOutcome {
    let h: ReturnType<typeof parseHeader>;
    try {
      h = parseHeader(data, 0, this.cidLength);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      // A stateless reset may be shorter than any packet of ours.
      return (
        this.toResetConnection(now, from, data) ?? {
          kind: 'dropped',
          reason: `malformed header: ${e.message}`,
        }
      );
    }
    const known = this.route(h.dcid);
    if (known) {
      known.handleDatagram(now, from, data);
      this.sync(known);
      return { kind: 'connection', connection: known };
    }
    if (h.type === 'short') {
      return this.toResetConnection(now, from, data) ?? this.statelessReset(now, from, h.dcid, data.length);
    }
    if (h.type === 'version-negotiation')
      return { kind: 'dropped', reason: 'version negotiation for no connection' };
    if (h.version !== QUIC_V1) {
      // RFC 9000 §6.1: only answer datagrams large enough to be a client's first Initial.
      if (data.length < 1200) return { kind: 'dropped', reason: 'unknown version in a small datagram' };
      return {
        kind: 'transmit',
        transmit: { destination: from, data: versionNegotiation(h.scid!, h.dcid, this.config.random) },
      };
    }
    if (h.type !== 'initial')
      return { kind: 'dropped', reason: `${h.type} packet for an unknown connection` };
    if (data.length < 1200)
      return { kind: 'dropped', reason: 'client Initial in a datagram under 1200 bytes' };
    if (h.dcid.length < 8) return { kind: 'dropped', reason: 'client Initial with a DCID under 8 bytes' };
    let originalDcid = h.dcid;
    let retrySourceCid: Uint8Array | undefined;
    let addressValidated = false;
    if (h.token && h.token.length > 0) {
      const valid = this.tokens.check(h.token, from, now);
      if (valid?.kind === 'retry') {
        originalDcid = valid.originalDcid;
        retrySourceCid = h.dcid;
      } else if (!valid && AddressTokens.isRetryToken(h.token)) {
        return { kind: 'dropped', reason: 'invalid or expired Retry token' };
      }
      // A NEW_TOKEN token that does not check out (expired, another IP, another server's) is ignored.
      addressValidated = valid !== undefined;
    }
    if (this.config.requireRetry && !addressValidated) {
      return {
        kind: 'transmit',
        transmit: { destination: from, data: this.retryPacket(now, from, h.dcid, h.scid!) },
      };
    }
    // Keyed by DCID alone: an iroh client sends copies of its first Initial over every path it knows
    // (direct and relayed); the first to arrive makes the incoming, later ones are duplicates.
    const key = hexEncode(h.dcid);
    const existing = this.pending.get(key);
    if (existing) {
      if (existing.remote !== from)
        return { kind: 'dropped', reason: 'a copy of a pending Initial from another address' };
      existing.datagrams.push(data.slice());
      return { kind: 'dropped', reason: 'queued for a pending incoming connection' };
    }
    if (this.pending.size >= (this.config.maxPendingIncoming ?? 256))
      return { kind: 'dropped', reason: 'too many pending connections' };
    const incoming: Incoming = {
      id: this.nextIncoming++,
      remote: from,
      originalDcid: originalDcid.slice(),
      clientCid: h.scid!.slice(),
      retrySourceCid: retrySourceCid?.slice(),
      addressValidated,
      datagrams: [data.slice()],
      receivedAt: now,
    };
    this.pending.set(key, incoming);
    return { kind: 'incoming', incoming };
  }

  /** Accepts an incoming connection and replays its first datagrams into it. */
  accept(
    now: number,
    incoming: Incoming,
    createCrypto: (tp: Uint8Array) => CryptoSession,
    options: Partial<Pick<ConnectionOptions, 'transportParameters' | 'config'>> = {},
  ): Connection {
    this.pending.delete(hexEncode(incoming.retrySourceCid ?? incoming.originalDcid));
    // After a Retry the client already addresses us by the CID the Retry chose: keep it.
    const localCid = incoming.retrySourceCid ?? this.newCid();
    const conn = new Connection({
      side: 'server',
      now,
      random: this.config.random,
      remote: incoming.remote,
      localCid,
      remoteCid: incoming.clientCid,
      originalDcid: incoming.originalDcid,
      retrySourceCid: incoming.retrySourceCid,
      statelessResetToken: this.resets.token(localCid),
      cidGenerator: this.generateCid,
      addressValidated: incoming.addressValidated,
      newToken:
        this.config.sendNewTokens === false ? undefined : this.tokens.issueNewToken(incoming.remote, now),
      createCrypto,
      config: { ...this.config.transport, ...options.config },
      transportParameters: options.transportParameters,
    });
    this.byCid.set(hexEncode(localCid), conn);
    // Without a Retry, the client keeps using its first DCID until it hears from us.
    if (!incoming.retrySourceCid) this.byCid.set(hexEncode(incoming.originalDcid), conn);
    for (const d of incoming.datagrams) conn.handleDatagram(now, incoming.remote, d);
    this.sync(conn);
    return conn;
  }

  /**
   * Applies what a connection told the endpoint: CIDs to route or drop, reset tokens, NEW_TOKEN tokens.
   * Runs after every datagram routed to a connection; call it after driving a connection otherwise
   * (timers), to keep the routes current.
   */
  sync(conn: Connection): void {
    for (let e = conn.pollEndpointEvent(); e; e = conn.pollEndpointEvent()) {
      switch (e.type) {
        case 'cid-issued':
          this.byCid.set(hexEncode(e.cid), conn);
          break;
        case 'cid-retired': {
          this.lastRoute = undefined;
          const key = hexEncode(e.cid);
          if (this.byCid.get(key) === conn) this.byCid.delete(key);
          break;
        }
        case 'reset-token-added':
          this.byResetToken.set(hexEncode(e.token), conn);
          break;
        case 'reset-token-removed': {
          const key = hexEncode(e.token);
          if (this.byResetToken.get(key) === conn) this.byResetToken.delete(key);
          break;
        }
        case 'new-token': {
          const server = this.serverOf.get(conn);
          if (server !== undefined) this.tokenStore.insert(server, e.token);
          break;
        }
      }
    }
  }

  /** A datagram for no known CID that ends in one of our connections' reset tokens goes to it. */
  private toResetConnection(now: number, from: string, data: Uint8Array): DatagramOutcome | undefined {
    if (data.length < MIN_STATELESS_RESET || (data[0]! & 0xc0) !== 0x40) return undefined;
    const conn = this.byResetToken.get(hexEncode(data.subarray(data.length - RESET_TOKEN_LENGTH)));
    if (!conn) return undefined;
    conn.handleDatagram(now, from, data);
    this.sync(conn);
    return { kind: 'connection', connection: conn };
  }

  /** Answers a short-header packet for an unknown connection with a stateless reset (RFC 9000 §10.3). */
  private statelessReset(now: number, from: string, dcid: Uint8Array, length: number): DatagramOutcome {
    if (this.cidLength === 0) return { kind: 'dropped', reason: 'short packet for an unknown connection' };
    const reset = this.resets.build(now, dcid, length);
    if (!reset)
      return { kind: 'dropped', reason: 'short packet for an unknown connection (no stateless reset)' };
    return { kind: 'transmit', transmit: { destination: from, data: reset } };
  }

  /** Drops an incoming connection without answering. */
  ignore(incoming: Incoming): void {
    this.pending.delete(hexEncode(incoming.retrySourceCid ?? incoming.originalDcid));
  }

  /**
   * Refuses an incoming connection: a server Initial carrying CONNECTION_CLOSE with
   * CONNECTION_REFUSED (RFC 9000 §20.1), and the incoming is forgotten.
   */
  refuse(incoming: Incoming): Transmit {
    this.ignore(incoming);
    const keys = initialKeys(incoming.retrySourceCid ?? incoming.originalDcid, 'server').local;
    const payload = new Writer(64);
    encodeFrame(payload, {
      type: 'connectionClose',
      errorCode: BigInt(TransportErrorCode.CONNECTION_REFUSED),
      frameType: 0,
      reason: new TextEncoder().encode('refused'),
    });
    // Header protection samples 16 bytes from 4 bytes after the packet number.
    while (payload.len < 20) payload.u8(0);
    const body = payload.finish();
    const header = new Writer(64);
    const pnOffset = writeLongHeader(header, {
      type: 'initial',
      version: QUIC_V1,
      dcid: incoming.clientCid,
      scid: this.newCid(),
      token: new Uint8Array(0),
      pn: 0,
      pnLength: 1,
      payloadLength: body.length + 16,
    });
    return { destination: incoming.remote, data: sealPacket(keys, header.finish(), pnOffset, 1, 0, body) };
  }

  /**
   * Answers an incoming connection with a Retry (address validation), and forgets it: the client
   * comes back with a token. `undefined` when it already went through a Retry (only one is allowed).
   */
  retry(now: number, incoming: Incoming): Transmit | undefined {
    this.ignore(incoming);
    if (incoming.retrySourceCid) return undefined;
    return {
      destination: incoming.remote,
      data: this.retryPacket(now, incoming.remote, incoming.originalDcid, incoming.clientCid),
    };
  }

  /** A Retry for a client's first Initial: a new CID for it to use, and a token bound to its address. */
  private retryPacket(now: number, from: string, clientDcid: Uint8Array, clientScid: Uint8Array): Uint8Array {
    const scid = this.newCid();
    const token = this.tokens.issueRetry(from, clientDcid, now);
    const w = new Writer(64 + token.length);
    w.u8(0xf0 | (this.config.random(1)[0]! & 0x0f));
    w.u32(QUIC_V1);
    w.u8(clientScid.length).bytes(clientScid);
    w.u8(scid.length).bytes(scid);
    w.bytes(token);
    const body = w.finish();
    const out = new Uint8Array(body.length + 16);
    out.set(body, 0);
    out.set(retryIntegrityTag(clientDcid, body), body.length);
    return out;
  }

  /** Forgets a connection (after it drained). */
  forget(conn: Connection): void {
    this.lastRoute = undefined;
    for (const [k, c] of this.byCid) if (c === conn) this.byCid.delete(k);
    for (const [k, c] of this.byResetToken) if (c === conn) this.byResetToken.delete(k);
  }

  /** The connection a destination CID routes to (a byte compare when it is the previous one's). */
  private route(dcid: Uint8Array): Connection | undefined {
    const last = this.lastRoute;
    if (last !== undefined && equalBytes(last.cid, dcid)) return last.conn;
    const conn = this.byCid.get(hexEncode(dcid));
    if (conn !== undefined) this.lastRoute = { cid: dcid.slice(), conn };
    return conn;
  }

  private newCid(): Uint8Array {
    for (;;) {
      const cid = this.config.random(this.cidLength);
      if (!this.byCid.has(hexEncode(cid))) return cid;
    }
  }
}

/** A Version Negotiation packet offering QUIC v1 (RFC 9000 §17.2.1). */
export function versionNegotiation(
  clientScid: Uint8Array,
  clientDcid: Uint8Array,
  random: (n: number) => Uint8Array,
): Uint8Array {
  const w = new Writer(64);
  w.u8(0x80 | (random(1)[0]! & 0x7f));
  w.u32(0);
  w.u8(clientScid.length).bytes(clientScid);
  w.u8(clientDcid.length).bytes(clientDcid);
  w.u32(QUIC_V1);
  // A GREASE version (0x?a?a?a?a) so that clients exercise their version handling.
  const g = random(1)[0]! & 0xf0;
  w.u8(g | 0x0a)
    .u8(g | 0x0a)
    .u8(g | 0x0a)
    .u8(g | 0x0a);
  return w.finish();
}

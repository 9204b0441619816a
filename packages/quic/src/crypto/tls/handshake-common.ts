/**
 * What the client and server handshakes share: the {@link CryptoSession} plumbing (one framer per
 * encryption level, the event queue, failure latching), cipher suites bound to the backend's hashes,
 * Finished computation and checking, and the exporter. Sans-IO: nothing here reads a clock or the
 * network; randomness comes from `TlsConfig.random`.
 */
import { equalBytes } from '@iroh-ts/base';
import { tlsBackend } from '#tls-backend';
import type {
  CipherSuite,
  CryptoEvent,
  CryptoSession,
  EncryptionLevel,
  PeerIdentity,
  TlsConfig,
} from '../session.js';
import { TlsAlert } from './alerts.js';
import {
  CIPHER_SUITES,
  cipherSuiteName,
  HandshakeType,
  handshakeTypeName,
  CipherSuite as SuiteCode,
} from './constants.js';
import { finishedVerifyData, type HashAlg, type KeySchedule, tlsExporter } from './key-schedule.js';
import {
  decodeHandshakeBody,
  encodeHandshake,
  type Finished,
  HandshakeFramer,
  type HandshakeMessage,
  type RawHandshakeMessage,
} from './messages.js';
import { Transcript } from './transcript.js';

/** Cipher suites in iroh 1.0.x's (rustls/ring) preference order. */
export const DEFAULT_CIPHER_SUITES: readonly number[] = [
  SuiteCode.TLS_AES_256_GCM_SHA384,
  SuiteCode.TLS_AES_128_GCM_SHA256,
  SuiteCode.TLS_CHACHA20_POLY1305_SHA256,
];

const suites = new Map<number, CipherSuite>();

/** A QUIC-capable TLS 1.3 cipher suite with the backend's hash, or `undefined` for another code. */
export function cipherSuite(code: number): CipherSuite | undefined {
  let suite = suites.get(code);
  if (suite === undefined) {
    const info = CIPHER_SUITES.get(code);
    if (info === undefined) return undefined;
    suite = {
      code,
      name: info.name,
      aead: info.aead,
      keyLength: info.keyLength,
      hash: tlsBackend.hash(info.hash),
    };
    suites.set(code, suite);
  }
  return suite;
}

/** The configured cipher suites, checked (an unknown code is a configuration error). */
export function configuredSuites(codes: readonly number[] | undefined): readonly number[] {
  const list = codes ?? DEFAULT_CIPHER_SUITES;
  const bad = list.find((c) => cipherSuite(c) === undefined);
  if (bad !== undefined) throw new RangeError(`unsupported cipher suite ${cipherSuiteName(bad)}`);
  if (list.length === 0) throw new RangeError('no cipher suites configured');
  return list;
}

/** A Finished message: HMAC(finished_key(baseKey), transcriptHash) (RFC 8446 §4.4.4). */
export function finishedMessage(alg: HashAlg, baseKey: Uint8Array, transcriptHash: Uint8Array): Finished {
  return { kind: 'finished', verifyData: finishedVerifyData(alg, baseKey, transcriptHash) };
}

/** Checks the peer's Finished; a mismatch is `decrypt_error` (RFC 8446 §4.4.4). */
export function checkFinished(
  alg: HashAlg,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
  finished: Finished,
  who: string,
): void {
  if (!equalBytes(finishedVerifyData(alg, baseKey, transcriptHash), finished.verifyData)) {
    throw new TlsAlert('decrypt_error', `${who} Finished does not verify`);
  }
}

const READ_LEVELS = ['initial', 'handshake', 'one-rtt'] as const;
type ReadLevel = (typeof READ_LEVELS)[number];

/**
 * The {@link CryptoSession} machinery around a handshake state machine. Subclasses implement
 * {@link onMessage}; any error it throws fails the session for good with a `TlsAlert` (an unexpected
 * exception becomes `internal_error`, with the original as `cause`).
 */
export abstract class HandshakeSession implements CryptoSession {
  abstract readonly side: 'client' | 'server';
  protected readonly config: TlsConfig;
  protected readonly transcript = new Transcript();
  /** The level at which the peer's next handshake bytes must arrive. */
  protected readLevel: ReadLevel = 'initial';
  protected negotiated: CipherSuite | undefined;
  protected keySchedule: KeySchedule | undefined;
  protected negotiatedAlpn: Uint8Array | undefined;
  protected peerParams: Uint8Array | undefined;
  protected peer: PeerIdentity | undefined;
  protected exporterSecret: Uint8Array | undefined;
  private completed = false;
  private readonly events: CryptoEvent[] = [];
  private eventHead = 0;
  private readonly framers: Record<ReadLevel, HandshakeFramer> = {
    initial: new HandshakeFramer(),
    handshake: new HandshakeFramer(),
    'one-rtt': new HandshakeFramer(),
  };
  private failure: TlsAlert | undefined;

  constructor(config: TlsConfig) {
    this.config = config;
  }

  get isHandshaking(): boolean {
    return !this.completed;
  }

  readHandshake(level: EncryptionLevel, data: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    try {
      if (level !== this.readLevel) {
        if (data.length === 0) return;
        throw new TlsAlert(
          'unexpected_message',
          `handshake bytes at the ${level} level, expected ${this.readLevel}`,
        );
      }
      const framer = this.framers[level];
      for (const message of framer.push(data)) {
        if (this.readLevel !== level) {
          throw new TlsAlert(
            'unexpected_message',
            `${handshakeTypeName(message.type)} at the ${level} level after the keys changed`,
          );
        }
        this.onMessage(message);
      }
      // A message must not span a key change (RFC 8446 §5.1, RFC 9001 §4.1.3).
      if (this.readLevel !== level) framer.assertEmpty(`the end of the ${level} level`);
    } catch (e) {
      throw this.fail(e);
    }
  }

  poll(): CryptoEvent | undefined {
    if (this.eventHead >= this.events.length) return undefined;
    const event = this.events[this.eventHead++];
    if (this.eventHead === this.events.length) {
      this.events.length = 0;
      this.eventHead = 0;
    }
    return event;
  }

  peerTransportParameters(): Uint8Array | undefined {
    return this.peerParams;
  }

  alpn(): Uint8Array | undefined {
    return this.negotiatedAlpn;
  }

  peerIdentity(): PeerIdentity | undefined {
    return this.peer;
  }

  suite(): CipherSuite | undefined {
    return this.negotiated;
  }

  exportKeyingMaterial(label: Uint8Array, context: Uint8Array, length: number): Uint8Array {
    if (!this.completed || this.exporterSecret === undefined || this.negotiated === undefined) {
      throw new TlsAlert('internal_error', 'the TLS exporter is available only after the handshake');
    }
    return tlsExporter(this.negotiated.hash, this.exporterSecret, label, context, length);
  }

  /** Handles one complete message that arrived at {@link readLevel}. */
  protected abstract onMessage(message: RawHandshakeMessage): void;

  /** Decodes a message after checking it has the type the state expects (`unexpected_message` otherwise). */
  protected decode(message: RawHandshakeMessage, type: number): HandshakeMessage {
    if (message.type !== type) {
      throw new TlsAlert(
        'unexpected_message',
        `${this.side} expected ${handshakeTypeName(type)}, got ${handshakeTypeName(message.type)}`,
      );
    }
    const hashLength = type === HandshakeType.Finished ? this.negotiated?.hash.outputLength : undefined;
    return decodeHandshakeBody(message.type, message.body, { quic: true, hashLength });
  }

  /** {@link decode}, narrowed to one message kind. */
  protected expect<K extends HandshakeMessage['kind']>(
    message: RawHandshakeMessage,
    type: number,
    kind: K,
  ): Extract<HandshakeMessage, { kind: K }> {
    const decoded = this.decode(message, type);
    if (decoded.kind !== kind) {
      throw new TlsAlert('unexpected_message', `${this.side} expected ${kind}, got ${decoded.kind}`);
    }
    return decoded as Extract<HandshakeMessage, { kind: K }>;
  }

  /** Encodes an outgoing message and adds it to the transcript. */
  protected send(message: HandshakeMessage): Uint8Array {
    const raw = encodeHandshake(message);
    this.transcript.add(raw);
    return raw;
  }

  protected emitData(level: EncryptionLevel, messages: readonly Uint8Array[]): void {
    let length = 0;
    for (const m of messages) length += m.length;
    const data = new Uint8Array(length);
    let offset = 0;
    for (const m of messages) {
      data.set(m, offset);
      offset += m.length;
    }
    this.events.push({ type: 'handshake-data', level, data });
  }

  protected emitSecrets(
    level: EncryptionLevel,
    write: Uint8Array | undefined,
    read: Uint8Array | undefined,
  ): void {
    this.events.push({ type: 'secrets', level, suite: this.suiteOrThrow(), write, read });
  }

  protected emitComplete(): void {
    this.completed = true;
    this.events.push({ type: 'complete' });
  }

  protected suiteOrThrow(): CipherSuite {
    if (this.negotiated === undefined) throw new TlsAlert('internal_error', 'no cipher suite negotiated yet');
    return this.negotiated;
  }

  protected keysOrThrow(): KeySchedule {
    if (this.keySchedule === undefined) throw new TlsAlert('internal_error', 'no key schedule yet');
    return this.keySchedule;
  }

  private fail(e: unknown): TlsAlert {
    const alert =
      e instanceof TlsAlert
        ? e
        : new TlsAlert(
            'internal_error',
            `TLS ${this.side} failed: ${e instanceof Error ? e.message : String(e)}`,
            {
              cause: e,
            },
          );
    this.failure = alert;
    this.events.length = 0;
    this.eventHead = 0;
    return alert;
  }
}

/**
 * pkarr signed packets (SRC iroh `iroh-dns/src/pkarr.rs`):
 *
 * ```text
 * 0..32    Ed25519 public key
 * 32..96   signature over `3:seqi<ts>e1:v<len>:<dns>`
 * 96..104  timestamp, u64 big-endian, microseconds since the Unix epoch
 * 104..    DNS message, at most 1000 bytes
 * ```
 *
 * A pkarr relay carries the same bytes without the leading key (`sig ‖ ts ‖ dns`).
 */
import { PublicKey, type PublicKey as PublicKeyType, type SecretKey, Signature } from '@iroh-ts/base';
import { RecordClass, RecordType } from '../dns/constants.js';
import { DnsError } from '../dns/errors.js';
import {
  buildMessage,
  type DnsMessage,
  parseMessage,
  REPLY_FLAGS,
  type ResourceRecord,
} from '../dns/message.js';
import { nameEquals, parseName } from '../dns/name.js';
import { txtToString } from '../dns/presentation.js';
import type { RData } from '../dns/rdata.js';
import { SignedPacketError } from './errors.js';
import { normalizeName, signable } from './normalize.js';
import { defaultTimestampSource, MAX_TIMESTAMP, type TimestampSource } from './timestamp.js';
import { z32Flat } from './z32.js';

/** Bytes before the DNS message: key, signature and timestamp. */
export const SIGNED_PACKET_HEADER_BYTES = 104;
/** Largest DNS message inside a signed packet. */
export const MAX_DNS_PACKET_BYTES = 1000;
/** Largest signed packet. */
export const MAX_SIGNED_PACKET_BYTES = SIGNED_PACKET_HEADER_BYTES + MAX_DNS_PACKET_BYTES;

/** A record to put in a signed packet. `name` is relative to the signer (`_iroh`, `@`) or ends in its z32. */
export interface PacketRecord {
  readonly name: string;
  /** TTL in seconds. */
  readonly ttl: number;
  readonly data: RData;
  /** Record type; required only for `raw` data, otherwise derived from `data.kind`. */
  readonly type?: number;
}

/** Options for building a packet. */
export interface SignOptions {
  /** Use this timestamp (µs) instead of one from the source. */
  readonly timestamp?: bigint;
  /** Where timestamps come from. @defaultValue the process-wide monotonic source */
  readonly timestampSource?: TimestampSource;
}

const KIND_TYPES: Record<Exclude<RData['kind'], 'raw'>, number> = {
  A: RecordType.A,
  AAAA: RecordType.AAAA,
  TXT: RecordType.TXT,
  NS: RecordType.NS,
  CNAME: RecordType.CNAME,
  PTR: RecordType.PTR,
  MX: RecordType.MX,
  SRV: RecordType.SRV,
  SOA: RecordType.SOA,
};

const encoder = new TextEncoder();

function readU64BE(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[at + i]!);
  return v;
}

/** Compares byte strings like Rust slices: lexicographically, then by length. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/**
 * A verified pkarr signed packet. Immutable.
 *
 * It keeps only its bytes (plus the timestamp and, once asked for, the key), so that a server can hold
 * hundreds of thousands of them: the DNS message is decoded again on each {@link message} call.
 */
export class SignedPacket {
  /** Largest total size in bytes (1104). */
  static readonly MAX_BYTES = MAX_SIGNED_PACKET_BYTES;
  readonly #bytes: Uint8Array;
  readonly #timestamp: bigint;
  #key: PublicKeyType | undefined;
  #z32: string | undefined;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#timestamp = readU64BE(bytes, 96);
  }

  /**
   * Parses and verifies the full form (`key ‖ sig ‖ ts ‖ dns`): size limits, a valid key, a strict Ed25519
   * signature and a DNS message that parses.
   *
   * @throws {@link SignedPacketError} `TooShort`, `TooLarge`, `InvalidKey`, `InvalidSignature` or `InvalidDns`.
   */
  static fromBytes(bytes: Uint8Array): SignedPacket {
    return SignedPacket.#parse(bytes, undefined, true);
  }

  /**
   * Parses the relay form (`sig ‖ ts ‖ dns`, the body of a pkarr relay PUT or GET) for `publicKey`.
   *
   * @throws {@link SignedPacketError} as {@link fromBytes}.
   */
  static fromRelayPayload(publicKey: PublicKeyType, payload: Uint8Array): SignedPacket {
    if (!(payload instanceof Uint8Array)) throw new SignedPacketError('TooShort', 'payload must be bytes');
    if (payload.length + 32 > MAX_SIGNED_PACKET_BYTES) {
      throw new SignedPacketError('TooLarge', `signed packet of ${payload.length + 32} bytes exceeds 1104`);
    }
    const bytes = new Uint8Array(32 + payload.length);
    bytes.set(publicKey.bytesView);
    bytes.set(payload, 32);
    return SignedPacket.#parse(bytes, publicKey, true, false);
  }

  /**
   * Parses without checking the signature (for bytes read back from a trusted store). Sizes, the key and
   * the DNS message are still checked.
   *
   * @throws {@link SignedPacketError}
   */
  static fromBytesUnchecked(bytes: Uint8Array): SignedPacket {
    return SignedPacket.#parse(bytes, undefined, false);
  }

  static #parse(
    bytes: Uint8Array,
    key: PublicKeyType | undefined,
    verify: boolean,
    copy = true,
  ): SignedPacket {
    if (!(bytes instanceof Uint8Array) || bytes.length < SIGNED_PACKET_HEADER_BYTES) {
      const len = bytes instanceof Uint8Array ? bytes.length : 0;
      throw new SignedPacketError('TooShort', `signed packet of ${len} bytes is shorter than 104`);
    }
    if (bytes.length > MAX_SIGNED_PACKET_BYTES) {
      throw new SignedPacketError('TooLarge', `signed packet of ${bytes.length} bytes exceeds 1104`);
    }
    // `new Uint8Array(x)` copies even for a Node Buffer, whose `slice` would only make a view
    const own = copy ? new Uint8Array(bytes) : bytes;
    let publicKey = key;
    if (!publicKey) {
      try {
        publicKey = PublicKey.fromBytes(own.subarray(0, 32));
      } catch (cause) {
        throw new SignedPacketError('InvalidKey', 'signed packet key is not a valid Ed25519 key', { cause });
      }
    }
    const dns = own.subarray(SIGNED_PACKET_HEADER_BYTES);
    if (verify) {
      const signature = Signature.fromBytes(own.subarray(32, 96));
      if (!publicKey.isValidSignature(signable(readU64BE(own, 96), dns), signature)) {
        throw new SignedPacketError('InvalidSignature', 'signed packet signature does not verify');
      }
    }
    try {
      parseMessage(dns, { allowTrailing: true });
    } catch (cause) {
      throw new SignedPacketError('InvalidDns', `invalid DNS message: ${(cause as Error).message}`, {
        cause,
      });
    }
    return new SignedPacket(own);
  }

  /**
   * Builds and signs a packet: a DNS reply (ID 0, flags `0x8000`) whose answers are `records`, names
   * normalised relative to the key and compressed, as iroh does.
   *
   * @throws {@link SignedPacketError} `TooLarge` when the DNS message exceeds 1000 bytes, `InvalidDns` for
   *   records that cannot be encoded.
   */
  static sign(
    secretKey: SecretKey,
    records: Iterable<PacketRecord>,
    options: SignOptions = {},
  ): SignedPacket {
    const publicKey = secretKey.public();
    const origin = publicKey.toZ32();
    const answers: ResourceRecord[] = [];
    let dns: Uint8Array;
    try {
      for (const rec of records) {
        const type = rec.data.kind === 'raw' ? rec.type : KIND_TYPES[rec.data.kind];
        if (type === undefined) throw new DnsError('InvalidRdata', 'raw record data needs an explicit type');
        answers.push({
          name: parseName(normalizeName(origin, rec.name)),
          type,
          class: RecordClass.IN,
          ttl: rec.ttl >>> 0,
          data: rec.data,
        });
      }
      dns = buildMessage({
        id: 0,
        flags: REPLY_FLAGS,
        questions: [],
        answers,
        authorities: [],
        additionals: [],
      });
    } catch (cause) {
      if (cause instanceof SignedPacketError) throw cause;
      throw new SignedPacketError('InvalidDns', `cannot encode DNS records: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (dns.length > MAX_DNS_PACKET_BYTES) {
      throw new SignedPacketError('TooLarge', `DNS packet of ${dns.length} bytes exceeds 1000`);
    }
    const timestamp = options.timestamp ?? (options.timestampSource ?? defaultTimestampSource).now();
    if (timestamp < 0n || timestamp > MAX_TIMESTAMP) throw new RangeError('timestamp must be a u64');
    const signature = secretKey.sign(signable(timestamp, dns));
    const bytes = new Uint8Array(SIGNED_PACKET_HEADER_BYTES + dns.length);
    bytes.set(publicKey.bytesView, 0);
    bytes.set(signature.bytesView, 32);
    new DataView(bytes.buffer).setBigUint64(96, timestamp, false);
    bytes.set(dns, SIGNED_PACKET_HEADER_BYTES);
    const packet = new SignedPacket(bytes);
    packet.#key = publicKey;
    return packet;
  }

  /**
   * Builds a packet of TXT records under one name, one character string per record (iroh
   * `SignedPacket::from_txt_strings`).
   *
   * @throws {@link SignedPacketError} as {@link sign}; `InvalidDns` for a value over 255 bytes.
   */
  static fromTxtStrings(
    secretKey: SecretKey,
    name: string,
    values: Iterable<string>,
    ttl: number,
    options: SignOptions = {},
  ): SignedPacket {
    const records: PacketRecord[] = [];
    for (const v of values) records.push({ name, ttl, data: { kind: 'TXT', strings: [encoder.encode(v)] } });
    return SignedPacket.sign(secretKey, records, options);
  }

  /** The signer's key (decoded on first use). */
  get publicKey(): PublicKeyType {
    this.#key ??= PublicKey.fromBytes(this.#bytes.subarray(0, 32));
    return this.#key;
  }

  /** The signer's key in z-base-32 (cached). */
  get z32(): string {
    this.#z32 ??= z32Flat(this.#bytes.subarray(0, 32));
    return this.#z32;
  }

  /** The signature. */
  get signature(): Signature {
    return Signature.fromBytes(this.#bytes.subarray(32, 96));
  }

  /** The timestamp in microseconds since the Unix epoch. */
  get timestamp(): bigint {
    return this.#timestamp;
  }

  /** The DNS message bytes (a view; do not modify). */
  get encodedPacket(): Uint8Array {
    return this.#bytes.subarray(SIGNED_PACKET_HEADER_BYTES);
  }

  /** The full form `key ‖ sig ‖ ts ‖ dns` (a view; do not modify). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The relay form `sig ‖ ts ‖ dns` (a view; do not modify). */
  get relayPayload(): Uint8Array {
    return this.#bytes.subarray(32);
  }

  /** The full form (a copy). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** The relay form (a copy). */
  toRelayPayload(): Uint8Array {
    return this.#bytes.slice(32);
  }

  /** The DNS message, decoded on each call (it parsed when the packet was created). */
  get message(): DnsMessage {
    return parseMessage(this.encodedPacket, { allowTrailing: true });
  }

  /** The answers of the DNS message. */
  get records(): readonly ResourceRecord[] {
    return this.message.answers;
  }

  /**
   * The TXT values under `name` (normalised like {@link sign}'s names), each record's character strings
   * joined, in packet order.
   */
  txtRecords(name: string): string[] {
    let wanted: readonly string[];
    try {
      wanted = parseName(normalizeName(this.z32, name));
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const rr of this.records) {
      if (rr.data.kind === 'TXT' && nameEquals(rr.name, wanted)) out.push(txtToString(rr.data.strings));
    }
    return out;
  }

  /**
   * iroh's "more recent than": a larger timestamp wins; with equal timestamps the DNS bytes that compare
   * greater win.
   */
  moreRecentThan(other: SignedPacket): boolean {
    if (this.#timestamp !== other.#timestamp) return this.#timestamp > other.#timestamp;
    return compareBytes(this.encodedPacket, other.encodedPacket) > 0;
  }

  /** True for byte-identical packets. */
  equals(other: SignedPacket): boolean {
    return compareBytes(this.#bytes, other.#bytes) === 0;
  }
}

/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1), traffic keys (§7.3), the exporter (§7.5), resumption PSKs
 * (§4.6.1), PSK binders (§4.2.11.2) and the QUIC packet-protection labels (RFC 9001 §5.1, §6.1).
 *
 * Everything is expressed over a small {@link HashAlg} descriptor so that another implementation of
 * SHA-2 and HMAC (for instance node:crypto) can be plugged in; the default ones use @noble/hashes and
 * run in browsers. Sans-IO: no clocks, no randomness.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { TlsAlert } from './alerts.js';
import { CIPHER_SUITES } from './constants.js';

/** A running hash that can be read without being finished. */
export interface HashState {
  update(data: Uint8Array): void;
  /** The digest of everything so far; the state stays usable. */
  digest(): Uint8Array;
  /** An independent copy. */
  clone(): HashState;
}

/** The hash function of a cipher suite, with HMAC, as the key schedule needs it. */
export interface HashAlg {
  readonly name: 'sha256' | 'sha384';
  /** Hash.length in RFC 8446 terms. */
  readonly outputLength: number;
  hash(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** A new running hash (for transcripts). */
  create(): HashState;
}

type NobleHash = typeof sha256 | typeof sha384;

function nobleState(h: ReturnType<NobleHash['create']>): HashState {
  return {
    update: (data) => void h.update(data),
    digest: () => h.clone().digest(),
    clone: () => nobleState(h.clone()),
  };
}

function nobleAlg(name: 'sha256' | 'sha384', h: NobleHash): HashAlg {
  return {
    name,
    outputLength: h.outputLen,
    hash: (data) => h(data),
    hmac: (key, data) => hmac(h, key, data),
    create: () => nobleState(h.create()),
  };
}

/** SHA-256 (TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256) on @noble/hashes. */
export const SHA256: HashAlg = nobleAlg('sha256', sha256);
/** SHA-384 (TLS_AES_256_GCM_SHA384) on @noble/hashes. */
export const SHA384: HashAlg = nobleAlg('sha384', sha384);

/** The hash of a QUIC-capable cipher suite, or `undefined` for another suite. */
export function hashForCipherSuite(suite: number): HashAlg | undefined {
  const info = CIPHER_SUITES.get(suite);
  if (info === undefined) return undefined;
  return info.hash === 'sha384' ? SHA384 : SHA256;
}

/** Labels of RFC 8446 §7.1 / §7.3 / §7.5 / §4.6.1 and RFC 9001 §5.1 / §6.1, without the "tls13 " prefix. */
export const Label = {
  extBinder: 'ext binder',
  resBinder: 'res binder',
  clientEarlyTraffic: 'c e traffic',
  earlyExporterMaster: 'e exp master',
  derived: 'derived',
  clientHandshakeTraffic: 'c hs traffic',
  serverHandshakeTraffic: 's hs traffic',
  clientApplicationTraffic: 'c ap traffic',
  serverApplicationTraffic: 's ap traffic',
  exporterMaster: 'exp master',
  resumptionMaster: 'res master',
  finished: 'finished',
  trafficUpdate: 'traffic upd',
  resumption: 'resumption',
  exporter: 'exporter',
  key: 'key',
  iv: 'iv',
  quicKey: 'quic key',
  quicIv: 'quic iv',
  quicHp: 'quic hp',
  quicKeyUpdate: 'quic ku',
} as const;

const LABEL_PREFIX = 'tls13 ';
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const PREFIX_BYTES = encoder.encode(LABEL_PREFIX);
// Labels are a handful of constants; encoding them once saves an encoder call per derivation.
const encodedLabels = new Map<string, Uint8Array>();
function labelCache(label: string): Uint8Array {
  let bytes = encodedLabels.get(label);
  if (!bytes) {
    bytes = encoder.encode(label);
    if (encodedLabels.size < 64) encodedLabels.set(label, bytes);
  }
  return bytes;
}

/** HKDF-Extract(salt, IKM) (RFC 5869 §2.2); an empty salt means Hash.length zero bytes. */
export function hkdfExtract(alg: HashAlg, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return alg.hmac(salt.length === 0 ? new Uint8Array(alg.outputLength) : salt, ikm);
}

/** HKDF-Expand(PRK, info, L) (RFC 5869 §2.3). */
export function hkdfExpand(alg: HashAlg, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const n = alg.outputLength;
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * n) {
    throw new RangeError(`HKDF-Expand length ${length} out of range`);
  }
  const out = new Uint8Array(length);
  let t: Uint8Array = EMPTY;
  for (let i = 1, pos = 0; pos < length; i++) {
    const input = new Uint8Array(t.length + info.length + 1);
    input.set(t);
    input.set(info, t.length);
    input[input.length - 1] = i;
    t = alg.hmac(prk, input);
    out.set(t.subarray(0, Math.min(n, length - pos)), pos);
    pos += n;
  }
  return out;
}

/**
 * HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1). `label` is given without the
 * "tls13 " prefix, which this function adds (strings are encoded as UTF-8; exporter labels may be bytes).
 */
export function hkdfExpandLabel(
  alg: HashAlg,
  secret: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const labelBytes = typeof label === 'string' ? labelCache(label) : label;
  const fullLength = LABEL_PREFIX.length + labelBytes.length;
  if (fullLength > 255) throw new RangeError(`HKDF label of ${fullLength} bytes`);
  if (context.length > 255) throw new RangeError(`HKDF context of ${context.length} bytes`);
  if (length > 0xffff) throw new RangeError(`HKDF-Expand-Label length ${length}`);
  const info = new Uint8Array(2 + 1 + fullLength + 1 + context.length);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info[2] = fullLength;
  info.set(PREFIX_BYTES, 3);
  info.set(labelBytes, 3 + LABEL_PREFIX.length);
  info[3 + fullLength] = context.length;
  info.set(context, 4 + fullLength);
  return hkdfExpand(alg, secret, info, length);
}

/** Derive-Secret(Secret, Label, Messages) (RFC 8446 §7.1), given Transcript-Hash(Messages). */
export function deriveSecret(
  alg: HashAlg,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(alg, secret, label, transcriptHash, alg.outputLength);
}

const emptyHashes = new WeakMap<HashAlg, Uint8Array>();

/** Hash of the empty string: the transcript hash of "no messages". */
export function emptyHash(alg: HashAlg): Uint8Array {
  let h = emptyHashes.get(alg);
  if (h === undefined) {
    h = alg.hash(EMPTY);
    emptyHashes.set(alg, h);
  }
  return h.slice();
}

/** Early Secret = HKDF-Extract(0, PSK), with PSK = Hash.length zeros when none is used. */
export function earlySecret(alg: HashAlg, psk?: Uint8Array): Uint8Array {
  return hkdfExtract(alg, EMPTY, psk ?? new Uint8Array(alg.outputLength));
}

/** Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE). */
export function handshakeSecret(alg: HashAlg, early: Uint8Array, sharedSecret: Uint8Array): Uint8Array {
  return hkdfExtract(alg, deriveSecret(alg, early, Label.derived, emptyHash(alg)), sharedSecret);
}

/** Master Secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0). */
export function masterSecret(alg: HashAlg, handshake: Uint8Array): Uint8Array {
  return hkdfExtract(
    alg,
    deriveSecret(alg, handshake, Label.derived, emptyHash(alg)),
    new Uint8Array(alg.outputLength),
  );
}

/** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4). */
export function finishedKey(alg: HashAlg, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(alg, baseKey, Label.finished, EMPTY, alg.outputLength);
}

/** verify_data = HMAC(finished_key, Transcript-Hash(...)); also the PSK binder when `baseKey` is a binder key. */
export function finishedVerifyData(
  alg: HashAlg,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
): Uint8Array {
  return alg.hmac(finishedKey(alg, baseKey), transcriptHash);
}

/** binder_key = Derive-Secret(early, "res binder" | "ext binder", "") (RFC 8446 §7.1). */
export function binderKey(alg: HashAlg, early: Uint8Array, resumption: boolean): Uint8Array {
  return deriveSecret(alg, early, resumption ? Label.resBinder : Label.extBinder, emptyHash(alg));
}

/**
 * A PSK binder (RFC 8446 §4.2.11.2): HMAC(finished_key(binder_key), Transcript-Hash(Truncate(ClientHello))),
 * where `truncatedTranscriptHash` hashes any earlier messages plus the truncated ClientHello.
 */
export function pskBinder(
  alg: HashAlg,
  psk: Uint8Array,
  resumption: boolean,
  truncatedTranscriptHash: Uint8Array,
): Uint8Array {
  return finishedVerifyData(alg, binderKey(alg, earlySecret(alg, psk), resumption), truncatedTranscriptHash);
}

/** The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
export function resumptionPsk(
  alg: HashAlg,
  resumptionMasterSecret: Uint8Array,
  ticketNonce: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(alg, resumptionMasterSecret, Label.resumption, ticketNonce, alg.outputLength);
}

/** application_traffic_secret_N+1 for a TLS KeyUpdate (RFC 8446 §7.2; QUIC uses {@link quicNextSecret}). */
export function nextTrafficSecret(alg: HashAlg, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(alg, secret, Label.trafficUpdate, EMPTY, alg.outputLength);
}

/** TLS record keys of a traffic secret: "key" and "iv" (RFC 8446 §7.3). */
export function trafficKeys(
  alg: HashAlg,
  secret: Uint8Array,
  keyLength: number,
  ivLength = 12,
): { key: Uint8Array; iv: Uint8Array } {
  return {
    key: hkdfExpandLabel(alg, secret, Label.key, EMPTY, keyLength),
    iv: hkdfExpandLabel(alg, secret, Label.iv, EMPTY, ivLength),
  };
}

/** QUIC packet-protection keys of a secret: "quic key", "quic iv", "quic hp" (RFC 9001 §5.1). */
export function quicKeys(
  alg: HashAlg,
  secret: Uint8Array,
  keyLength: number,
  ivLength = 12,
): { key: Uint8Array; iv: Uint8Array; hp: Uint8Array } {
  return {
    key: hkdfExpandLabel(alg, secret, Label.quicKey, EMPTY, keyLength),
    iv: hkdfExpandLabel(alg, secret, Label.quicIv, EMPTY, ivLength),
    hp: hkdfExpandLabel(alg, secret, Label.quicHp, EMPTY, keyLength),
  };
}

/** The next QUIC 1-RTT secret for a key update: HKDF-Expand-Label(secret, "quic ku", "", Hash.length) (RFC 9001 §6.1). */
export function quicNextSecret(alg: HashAlg, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(alg, secret, Label.quicKeyUpdate, EMPTY, alg.outputLength);
}

/**
 * TLS-Exporter(label, context_value, key_length) (RFC 8446 §7.5) =
 * HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""), "exporter", Hash(context_value), key_length).
 * An absent context and an empty one give the same output in TLS 1.3.
 */
export function tlsExporter(
  alg: HashAlg,
  exporterMasterSecret: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const secret = hkdfExpandLabel(alg, exporterMasterSecret, label, emptyHash(alg), alg.outputLength);
  return hkdfExpandLabel(alg, secret, Label.exporter, alg.hash(context), length);
}

type Stage = 'early' | 'handshake' | 'master';

/**
 * The key schedule of one connection as a small state machine: Early Secret (optionally from a PSK),
 * then Handshake Secret once the (EC)DHE secret is known, then Master Secret. Each accessor takes the
 * transcript hash RFC 8446 §7.1 prescribes for it; calling one at the wrong stage is `internal_error`.
 */
export class KeySchedule {
  readonly alg: HashAlg;
  private stage: Stage = 'early';
  private secret: Uint8Array;

  /** Starts from Early Secret = HKDF-Extract(0, psk ?? 0). */
  constructor(alg: HashAlg, psk?: Uint8Array) {
    this.alg = alg;
    this.secret = earlySecret(alg, psk);
  }

  /** The current stage's secret (Early, Handshake or Master Secret). A copy. */
  get current(): Uint8Array {
    return this.secret.slice();
  }

  /** The current stage. */
  get currentStage(): Stage {
    return this.stage;
  }

  private at(stage: Stage, what: string): Uint8Array {
    if (this.stage !== stage)
      throw new TlsAlert('internal_error', `${what} needs the ${stage} stage, not ${this.stage}`);
    return this.secret;
  }

  /** binder_key for resumption ("res binder") or external ("ext binder") PSKs. */
  binderKey(resumption: boolean): Uint8Array {
    return binderKey(this.alg, this.at('early', 'binder_key'), resumption);
  }

  /** client_early_traffic_secret, from Transcript-Hash(ClientHello). */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Uint8Array {
    return deriveSecret(this.alg, this.at('early', 'c e traffic'), Label.clientEarlyTraffic, clientHelloHash);
  }

  /** early_exporter_master_secret, from Transcript-Hash(ClientHello). */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Uint8Array {
    return deriveSecret(
      this.alg,
      this.at('early', 'e exp master'),
      Label.earlyExporterMaster,
      clientHelloHash,
    );
  }

  /** Moves to the Handshake Secret; without (EC)DHE (psk_ke) pass nothing (Hash.length zeros). */
  enterHandshake(sharedSecret?: Uint8Array): void {
    const early = this.at('early', 'handshake secret');
    this.secret = handshakeSecret(this.alg, early, sharedSecret ?? new Uint8Array(this.alg.outputLength));
    this.stage = 'handshake';
  }

  /** client_handshake_traffic_secret, from Transcript-Hash(ClientHello...ServerHello). */
  clientHandshakeTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return deriveSecret(
      this.alg,
      this.at('handshake', 'c hs traffic'),
      Label.clientHandshakeTraffic,
      helloHash,
    );
  }

  /** server_handshake_traffic_secret, from Transcript-Hash(ClientHello...ServerHello). */
  serverHandshakeTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return deriveSecret(
      this.alg,
      this.at('handshake', 's hs traffic'),
      Label.serverHandshakeTraffic,
      helloHash,
    );
  }

  /** Moves to the Master Secret. */
  enterMaster(): void {
    this.secret = masterSecret(this.alg, this.at('handshake', 'master secret'));
    this.stage = 'master';
  }

  /** client_application_traffic_secret_0, from Transcript-Hash(ClientHello...server Finished). */
  clientApplicationTrafficSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(
      this.alg,
      this.at('master', 'c ap traffic'),
      Label.clientApplicationTraffic,
      serverFinishedHash,
    );
  }

  /** server_application_traffic_secret_0, from Transcript-Hash(ClientHello...server Finished). */
  serverApplicationTrafficSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(
      this.alg,
      this.at('master', 's ap traffic'),
      Label.serverApplicationTraffic,
      serverFinishedHash,
    );
  }

  /** exporter_master_secret, from Transcript-Hash(ClientHello...server Finished). */
  exporterMasterSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(this.alg, this.at('master', 'exp master'), Label.exporterMaster, serverFinishedHash);
  }

  /** resumption_master_secret, from Transcript-Hash(ClientHello...client Finished). */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(
      this.alg,
      this.at('master', 'res master'),
      Label.resumptionMaster,
      clientFinishedHash,
    );
  }
}

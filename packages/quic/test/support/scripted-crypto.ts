/**
 * A test double for the TLS handshake: three messages (ClientHello, ServerFinished, ClientFinished)
 * that carry the transport parameters, with secrets derived from a hash of the ClientHello. It lets
 * transport tests run without TLS; the real handshake has its own tests and replaces it elsewhere.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { CipherSuite, CryptoEvent, CryptoSession, EncryptionLevel } from '../../src/crypto/session.js';
import { SHA256 } from '../../src/crypto/tls/key-schedule.js';

const SUITE: CipherSuite = {
  code: 0x1301,
  name: 'TLS_AES_128_GCM_SHA256',
  aead: 'aes-128-gcm',
  keyLength: 16,
  hash: SHA256,
};
const enc = new TextEncoder();

function msg(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + body.length);
  out[0] = type;
  out[1] = body.length >> 8;
  out[2] = body.length & 0xff;
  out.set(body, 3);
  return out;
}

function secret(label: string, seed: Uint8Array): Uint8Array {
  return sha256(new Uint8Array([...enc.encode(label), ...seed]));
}

export class ScriptedCrypto implements CryptoSession {
  readonly side: 'client' | 'server';
  private readonly events: CryptoEvent[] = [];
  private readonly buf: Record<string, number[]> = { initial: [], handshake: [], 'one-rtt': [] };
  private peerTp: Uint8Array | undefined;
  private seed: Uint8Array | undefined;
  private done = false;
  readonly alpnValue: Uint8Array;

  constructor(
    side: 'client' | 'server',
    private readonly tp: Uint8Array,
    alpn = 'test',
  ) {
    this.side = side;
    this.alpnValue = enc.encode(alpn);
    if (side === 'client') {
      const ch = msg(1, tp);
      this.seed = ch;
      this.events.push({ type: 'handshake-data', level: 'initial', data: ch });
    }
  }

  get isHandshaking(): boolean {
    return !this.done;
  }

  readHandshake(level: EncryptionLevel, data: Uint8Array): void {
    const b = this.buf[level]!;
    b.push(...data);
    while (b.length >= 3 && b.length >= 3 + ((b[1]! << 8) | b[2]!)) {
      const len = (b[1]! << 8) | b[2]!;
      const type = b[0]!;
      const body = Uint8Array.from(b.slice(3, 3 + len));
      const raw = Uint8Array.from(b.slice(0, 3 + len));
      b.splice(0, 3 + len);
      this.onMessage(level, type, body, raw);
    }
  }

  private onMessage(level: EncryptionLevel, type: number, body: Uint8Array, raw: Uint8Array): void {
    if (this.side === 'server' && level === 'initial' && type === 1) {
      this.peerTp = body;
      this.seed = raw;
      const s = raw;
      this.events.push({ type: 'handshake-data', level: 'initial', data: msg(2, new Uint8Array(0)) });
      this.events.push({
        type: 'secrets',
        level: 'handshake',
        suite: SUITE,
        write: secret('hs s', s),
        read: secret('hs c', s),
      });
      this.events.push({ type: 'handshake-data', level: 'handshake', data: msg(3, this.tp) });
      this.events.push({
        type: 'secrets',
        level: 'one-rtt',
        suite: SUITE,
        write: secret('ap s', s),
        read: secret('ap c', s),
      });
    } else if (this.side === 'client' && level === 'initial' && type === 2) {
      const s = this.seed!;
      this.events.push({
        type: 'secrets',
        level: 'handshake',
        suite: SUITE,
        write: secret('hs c', s),
        read: secret('hs s', s),
      });
    } else if (this.side === 'client' && level === 'handshake' && type === 3) {
      const s = this.seed!;
      this.peerTp = body;
      this.events.push({ type: 'handshake-data', level: 'handshake', data: msg(4, new Uint8Array(0)) });
      this.events.push({
        type: 'secrets',
        level: 'one-rtt',
        suite: SUITE,
        write: secret('ap c', s),
        read: secret('ap s', s),
      });
      this.done = true;
      this.events.push({ type: 'complete' });
    } else if (this.side === 'server' && level === 'handshake' && type === 4) {
      this.done = true;
      this.events.push({ type: 'complete' });
    } else {
      throw new Error(`scripted crypto: unexpected message ${type} at ${level}`);
    }
  }

  poll(): CryptoEvent | undefined {
    return this.events.shift();
  }
  peerTransportParameters(): Uint8Array | undefined {
    return this.peerTp;
  }
  alpn(): Uint8Array | undefined {
    return this.done ? this.alpnValue : undefined;
  }
  peerIdentity() {
    return undefined;
  }
  suite(): CipherSuite | undefined {
    return SUITE;
  }
  exportKeyingMaterial(label: Uint8Array, _context: Uint8Array, length: number): Uint8Array {
    return secret(new TextDecoder().decode(label), this.seed!).slice(0, length);
  }
}

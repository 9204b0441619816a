/**
 * Address-validation tokens (RFC 9000 §8.1.2, §8.1.3): opaque to the client, sealed with a key only
 * this endpoint knows, and of two kinds that cannot be confused:
 *
 * - **Retry** tokens bind the client's full address (IP and port), the DCID of its first Initial and
 *   the time; they live seconds, for the Initial that answers our Retry.
 * - **NEW_TOKEN** tokens bind only the client's IP (its port changes between connections) and the
 *   time; they live days, for the client's next connection, which then needs no Retry.
 *
 * Layout: kind (1 byte, also authenticated) ‖ nonce (12) ‖ AES-256-GCM(body) with the kind and the
 * bound address as associated data. Times are the sans-IO clock's milliseconds.
 */
import { backend } from '#crypto-backend';
import type { AeadKey } from '../crypto/aead.js';
import { Reader, Writer } from './coding.js';

const enc = new TextEncoder();
const KIND_RETRY = 0x52; // 'R'
const KIND_NEW_TOKEN = 0x4e; // 'N'
const NONCE = 12;
const TAG = 16;

/** What a valid token tells the server. */
export type AddressTokenContents =
  | { readonly kind: 'retry'; readonly originalDcid: Uint8Array; readonly issuedAt: number }
  | { readonly kind: 'new-token'; readonly issuedAt: number };

/** Lifetimes of the two kinds of token, ms. */
export interface AddressTokenLifetimes {
  /** @default 10 s */
  readonly retry?: number;
  /** @default 14 days (as quinn) */
  readonly newToken?: number;
}

/** The IP part of an `ip:port` or `[ip6]:port` address (the whole string when it has no port). */
export function addressHost(address: string): string {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return address;
  const host = address.slice(0, colon);
  return host.includes(':') && !host.startsWith('[') ? address : host;
}

/** Issues and checks this endpoint's address-validation tokens. */
export class AddressTokens {
  private readonly aead: AeadKey;
  private readonly random: (n: number) => Uint8Array;
  readonly retryLifetime: number;
  readonly newTokenLifetime: number;

  constructor(random: (n: number) => Uint8Array, lifetimes: AddressTokenLifetimes = {}) {
    this.random = random;
    this.aead = backend.aead('aes-256-gcm', random(32));
    this.retryLifetime = lifetimes.retry ?? 10_000;
    this.newTokenLifetime = lifetimes.newToken ?? 14 * 24 * 3600_000;
  }

  /** A Retry token for a client at `address` whose first Initial had DCID `originalDcid`. */
  issueRetry(address: string, originalDcid: Uint8Array, now: number): Uint8Array {
    const body = new Writer(32).u8(originalDcid.length).bytes(originalDcid).u64(time(now)).finish();
    return this.seal(KIND_RETRY, address, body);
  }

  /** A NEW_TOKEN token for a client at `address` (only its IP is bound). */
  issueNewToken(address: string, now: number): Uint8Array {
    return this.seal(KIND_NEW_TOKEN, addressHost(address), new Writer(8).u64(time(now)).finish());
  }

  /** Whether `token` claims to be a Retry token (without authenticating it). */
  static isRetryToken(token: Uint8Array): boolean {
    return token[0] === KIND_RETRY;
  }

  /**
   * The token's contents if we issued it for `address` and it has not expired, else `undefined`
   * (forged, for another address, expired, or not ours at all).
   */
  check(token: Uint8Array, address: string, now: number): AddressTokenContents | undefined {
    if (token.length < 1 + NONCE + TAG + 8) return undefined;
    const kind = token[0];
    if (kind !== KIND_RETRY && kind !== KIND_NEW_TOKEN) return undefined;
    const bound = kind === KIND_RETRY ? address : addressHost(address);
    const body = this.aead.open(token.subarray(1, 1 + NONCE), aad(kind, bound), token.subarray(1 + NONCE));
    if (!body) return undefined;
    try {
      const r = new Reader(body);
      if (kind === KIND_RETRY) {
        const originalDcid = r.bytes(r.u8()).slice();
        const issuedAt = Number(r.u64());
        r.finish();
        return fresh(issuedAt, now, this.retryLifetime)
          ? { kind: 'retry', originalDcid, issuedAt }
          : undefined;
      }
      const issuedAt = Number(r.u64());
      r.finish();
      return fresh(issuedAt, now, this.newTokenLifetime) ? { kind: 'new-token', issuedAt } : undefined;
    } catch {
      return undefined;
    }
  }

  private seal(kind: number, bound: string, body: Uint8Array): Uint8Array {
    const nonce = this.random(NONCE);
    const sealed = this.aead.seal(nonce, aad(kind, bound), body);
    const out = new Uint8Array(1 + NONCE + sealed.length);
    out[0] = kind;
    out.set(nonce, 1);
    out.set(sealed, 1 + NONCE);
    return out;
  }
}

function aad(kind: number, bound: string): Uint8Array {
  const a = enc.encode(bound);
  const out = new Uint8Array(1 + a.length);
  out[0] = kind;
  out.set(a, 1);
  return out;
}

/** Times before the clock's zero (a negative sans-IO time) are clamped: a u64 cannot hold them. */
function time(now: number): bigint {
  return BigInt(Math.max(0, Math.floor(now)));
}

function fresh(issuedAt: number, now: number, lifetime: number): boolean {
  return now >= issuedAt - 1000 && now - issuedAt <= lifetime;
}

/**
 * Client side: NEW_TOKEN tokens received from servers, by server address, for the next connection to
 * each. Bounded: a few tokens per server (newest first), and the least recently updated servers are
 * forgotten first. A token is used once (RFC 9000 §8.1.3: reuse lets observers link connections).
 */
export class TokenStore {
  private readonly byServer = new Map<string, Uint8Array[]>();
  readonly maxServers: number;
  readonly perServer: number;

  constructor(maxServers = 256, perServer = 2) {
    this.maxServers = maxServers;
    this.perServer = perServer;
  }

  /** Remembers a token from `server`. */
  insert(server: string, token: Uint8Array): void {
    const list = this.byServer.get(server) ?? [];
    this.byServer.delete(server); // re-inserted last: the most recently updated
    list.unshift(token);
    if (list.length > this.perServer) list.length = this.perServer;
    this.byServer.set(server, list);
    if (this.byServer.size > this.maxServers) this.byServer.delete(this.byServer.keys().next().value!);
  }

  /** Takes the newest token for `server`, if any. */
  take(server: string): Uint8Array | undefined {
    const list = this.byServer.get(server);
    const token = list?.shift();
    if (list && list.length === 0) this.byServer.delete(server);
    return token;
  }

  /** Whether a token from `server` is stored. */
  has(server: string): boolean {
    return this.byServer.has(server);
  }

  /** Number of servers with tokens. */
  get size(): number {
    return this.byServer.size;
  }
}

import { createHash } from 'node:crypto';
import { SecretKey } from '@iroh-ts/base';
import { expect } from 'vitest';
import type {
  CryptoEvent,
  CryptoSession,
  EncryptionLevel,
  SecretsEvent,
  TlsConfig,
} from '../../src/crypto/session.js';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import type { AlertName } from '../../src/crypto/tls/constants.js';
import { createTlsSession } from '../../src/crypto/tls/index.js';
import { HandshakeFramer, type RawHandshakeMessage } from '../../src/crypto/tls/messages.js';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A deterministic random source: SHA-256(seed || counter) blocks. */
export function seededRandom(seed: string): (length: number) => Uint8Array {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let pos = 0; pos < length; pos += 32) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, length - pos)), pos);
    }
    return out;
  };
}

/** Stable test identities. */
export const serverKey = SecretKey.fromBytes(new Uint8Array(32).fill(0x2a));
export const clientKey = SecretKey.fromBytes(new Uint8Array(32).fill(0x07));
export const otherKey = SecretKey.fromBytes(new Uint8Array(32).fill(0x99));

export const ALPN = utf8('test/alpn/1');
export const CLIENT_TP = Uint8Array.of(0x01, 0x02, 0x03);
export const SERVER_TP = Uint8Array.of(0x0a, 0x0b);

/** An iroh-style raw-public-key client config dialling `serverKey`. */
export function rpkClientConfig(overrides: Partial<TlsConfig> = {}, seed = 'client'): TlsConfig {
  return {
    side: 'client',
    alpnProtocols: [ALPN],
    transportParameters: CLIENT_TP,
    identity: { kind: 'raw-public-key', secretKey: clientKey },
    verify: { kind: 'raw-public-key', expected: serverKey.public() },
    serverName: serverKey.public().tlsServerName(),
    random: seededRandom(seed),
    ...overrides,
  };
}

/** An iroh-style raw-public-key server config. */
export function rpkServerConfig(overrides: Partial<TlsConfig> = {}, seed = 'server'): TlsConfig {
  return {
    side: 'server',
    alpnProtocols: [utf8('other/1'), ALPN],
    transportParameters: SERVER_TP,
    identity: { kind: 'raw-public-key', secretKey: serverKey },
    verify: { kind: 'raw-public-key' },
    random: seededRandom(seed),
    ...overrides,
  };
}

/** One event as seen by the pump. */
export interface Delivery {
  readonly from: 'client' | 'server';
  readonly event: CryptoEvent;
}

/** Everything that happened in a pumped handshake. */
export interface PumpResult {
  readonly log: Delivery[];
  /** The error a side threw while reading, if any. */
  readonly error: { side: 'client' | 'server'; error: unknown } | undefined;
}

/** Handshake bytes in transit, which a test may rewrite before delivery. */
export type Tamper = (from: 'client' | 'server', level: EncryptionLevel, data: Uint8Array) => Uint8Array;

/** Moves events between the two sessions until neither has anything left (or one fails). */
export function pump(client: CryptoSession, server: CryptoSession, tamper?: Tamper): PumpResult {
  const log: Delivery[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      for (let e = from.poll(); e !== undefined; e = from.poll()) {
        progress = true;
        log.push({ from: from.side, event: e });
        if (e.type !== 'handshake-data') continue;
        const data = tamper ? tamper(from.side, e.level, e.data) : e.data;
        try {
          to.readHandshake(e.level, data);
        } catch (error) {
          return { log, error: { side: to.side, error } };
        }
      }
    }
  }
  return { log, error: undefined };
}

/** Creates both sessions and runs the handshake. */
export function handshake(
  clientConfig: TlsConfig = rpkClientConfig(),
  serverConfig: TlsConfig = rpkServerConfig(),
  tamper?: Tamper,
): { client: CryptoSession; server: CryptoSession } & PumpResult {
  const client = createTlsSession(clientConfig);
  const server = createTlsSession(serverConfig);
  return { client, server, ...pump(client, server, tamper) };
}

/** The secrets events one side emitted. */
export function secretsOf(log: readonly Delivery[], side: 'client' | 'server'): SecretsEvent[] {
  return log.filter((d) => d.from === side && d.event.type === 'secrets').map((d) => d.event as SecretsEvent);
}

/** Asserts a pump result failed on `side` with a TlsAlert named `name`; returns the alert. */
export function expectFailure(result: PumpResult, side: 'client' | 'server', name: AlertName): TlsAlert {
  expect(result.error, `expected the ${side} to fail with ${name}`).toBeDefined();
  expect(result.error?.side).toBe(side);
  const error = result.error?.error;
  expect(error).toBeInstanceOf(TlsAlert);
  expect((error as TlsAlert).code).toBe(name);
  expect((error as TlsAlert).message.length).toBeGreaterThan(10);
  return error as TlsAlert;
}

/** Splits a flight into its handshake messages. */
export function messagesOf(data: Uint8Array): RawHandshakeMessage[] {
  const framer = new HandshakeFramer();
  const out = framer.push(data);
  framer.assertEmpty('test');
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Rewrites the message of handshake type `type` inside a flight. */
export function rewriteMessage(
  data: Uint8Array,
  type: number,
  edit: (raw: Uint8Array) => Uint8Array | undefined,
): Uint8Array {
  return concat(
    messagesOf(data).flatMap((m) => {
      if (m.type !== type) return [m.raw];
      const next = edit(m.raw.slice());
      return next === undefined ? [] : [next];
    }),
  );
}

/** Flips one bit of the last byte (inside a Finished MAC or a signature). */
export const flipLast = (raw: Uint8Array): Uint8Array => {
  raw[raw.length - 1]! ^= 0x01;
  return raw;
};

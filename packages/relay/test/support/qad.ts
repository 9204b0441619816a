/** Helpers of the QAD tests: the test certificates, deadlines, and a client that ignores limits. */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { secureRandom } from '@iroh-ts/base';
import { type CryptoSession, createTlsSession, type QuicConnection, type QuicEndpoint } from '@iroh-ts/quic';
import { QAD_ALPN, QAD_CLIENT_TRANSPORT } from '../../src/protos/qad.js';
import {
  type QadIdentity,
  QadServer,
  type QadServerOptions,
  qadIdentityFromPem,
} from '../../src/server/index.js';
import { onCleanup } from './relay.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/qad/${name}`, import.meta.url), 'utf8');

/** The test CA (PEM) and the server certificate it issued for localhost, 127.0.0.1 and ::1. */
export const QAD_CA_PEM = fixture('ca.pem');
export const QAD_CERT_PEM = fixture('server.pem');
export const QAD_KEY_PEM = fixture('server.key');
/** The CA as a DER trust root. */
export const QAD_ROOT: Uint8Array = new Uint8Array(new X509Certificate(QAD_CA_PEM).raw);
export const QAD_IDENTITY: QadIdentity = qadIdentityFromPem(QAD_CERT_PEM, QAD_KEY_PEM);
/** Another certificate of the test CA, for `renewed.test` (a renewal). */
export const QAD_RENEWED: QadIdentity = qadIdentityFromPem(fixture('renewed.pem'), fixture('renewed.key'));

/** A QAD server on an ephemeral loopback port with the test certificate, closed after the test. */
export async function startQad(options: Partial<QadServerOptions> = {}): Promise<QadServer> {
  const server = await QadServer.bind({ bindAddr: '127.0.0.1:0', ...QAD_IDENTITY, ...options });
  onCleanup(() => server.close());
  return server;
}

/** `p`, or a rejection naming `what` after `ms` (a deadline, never an assertion about timing). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Polls `check` until it holds, failing after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Options of {@link dialQad}. */
export interface DialOptions {
  readonly alpn?: string;
  /** Pretend the server allows this many bidirectional streams (it advertised 0). */
  readonly fakeStreamLimit?: number;
}

/** Connects to a QAD server as iroh's client does, optionally with another ALPN or a faked stream limit. */
export function dialQad(ep: QuicEndpoint, server: string, o: DialOptions = {}): Promise<QuicConnection> {
  const crypto = (tp: Uint8Array): CryptoSession => {
    const s = createTlsSession({
      side: 'client',
      alpnProtocols: [new TextEncoder().encode(o.alpn ?? QAD_ALPN)],
      transportParameters: tp,
      verify: { kind: 'x509', roots: [QAD_ROOT], serverName: 'localhost' },
      serverName: 'localhost',
      now: Date.now,
      random: secureRandom,
    });
    const limit = o.fakeStreamLimit;
    if (limit === undefined) return s;
    return new Proxy(s, {
      get(target, prop, receiver) {
        if (prop === 'peerTransportParameters')
          return () => {
            const raw = target.peerTransportParameters();
            return raw && withParameter(raw, 0x08, limit);
          };
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  return ep.connect(server, crypto, { transportConfig: { ...QAD_CLIENT_TRANSPORT } });
}

function readVarint(b: Uint8Array, at: number): [number, number] {
  const len = 1 << (b[at]! >> 6);
  let v = b[at]! & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[at + i]!;
  return [v, at + len];
}

function varint(v: number): number[] {
  if (v < 64) return [v];
  if (v < 16384) return [0x40 | (v >> 8), v & 0xff];
  return [0x80 | (v >>> 24), (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

/** The quic_transport_parameters body with integer parameter `id` set to `value`. */
export function withParameter(tp: Uint8Array, id: number, value: number): Uint8Array {
  const out: number[] = [...varint(id), ...varint(varint(value).length), ...varint(value)];
  for (let at = 0; at < tp.length; ) {
    const [pid, afterId] = readVarint(tp, at);
    const [len, afterLen] = readVarint(tp, afterId);
    const end = afterLen + len;
    if (pid !== id) out.push(...tp.subarray(at, end));
    at = end;
  }
  return Uint8Array.from(out);
}

import type { SecretKey } from '@iroh-ts/base';
import WebSocket, { type ClientOptions } from 'ws';
import { decodeHandshakeFrame, encodeHandshakeFrame, signChallenge } from '../../src/index.js';

/** The upgrade was refused with an HTTP error. */
export interface UpgradeRefused {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A hand-driven WebSocket client for testing the server with arbitrary bytes. */
export class RawClient {
  readonly ws: WebSocket;
  readonly #queue: Uint8Array[] = [];
  #waiter: ((f: Uint8Array) => void) | undefined;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const frame = new Uint8Array(data);
      if (this.#waiter !== undefined) {
        const w = this.#waiter;
        this.#waiter = undefined;
        w(frame);
      } else this.#queue.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens a raw connection to `<url>relay`; rejects with {@link UpgradeRefused} on an HTTP error. */
  static open(
    baseUrl: string,
    options: { protocols?: string[]; headers?: Record<string, string>; path?: string } & ClientOptions = {},
  ): Promise<RawClient> {
    const url = new URL(options.path ?? '/relay', baseUrl.replace(/^http/, 'ws')).toString();
    const { protocols = ['iroh-relay-v2', 'iroh-relay-v1'], ...rest } = options;
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...rest });
    ws.on('error', () => {});
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () =>
          reject({ status: res.statusCode ?? 0, body, headers: res.headers } satisfies UpgradeRefused),
        );
      });
      ws.once('close', () => reject(new Error('closed before open')));
    });
  }

  /** The next binary frame from the server. */
  next(timeoutMs = 5000): Promise<Uint8Array> {
    const head = this.#queue.shift();
    if (head !== undefined) return Promise.resolve(head);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame')), timeoutMs);
      this.#waiter = (f) => {
        clearTimeout(timer);
        resolve(f);
      };
    });
  }

  /** Frames received and not yet taken. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Sends raw bytes as one binary message. */
  send(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  /** Runs the challenge handshake; resolves with the server's final frame kind and reason. */
  async handshake(
    secretKey: SecretKey,
    tamper?: (frame: Uint8Array) => void,
  ): Promise<{ type: string; reason?: string }> {
    const first = decodeHandshakeFrame(await this.next(), [
      'serverChallenge',
      'serverConfirmsAuth',
      'serverDeniesAuth',
    ]);
    if (first.type !== 'serverChallenge') return first;
    const auth = encodeHandshakeFrame(signChallenge(secretKey, first.challenge));
    tamper?.(auth);
    this.send(auth);
    return decodeHandshakeFrame(await this.next(), ['serverConfirmsAuth', 'serverDeniesAuth']);
  }
}

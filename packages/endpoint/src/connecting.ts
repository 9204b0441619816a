/** A dial whose handshake is under way, as `@number0/iroh`'s `Connecting`. */
import type { PublicKey } from '@iroh-ts/base';
import type { Connection } from './connection.js';

/** A dial whose handshake is under way (`Endpoint.connectPending`). */
export class Connecting {
  readonly #conn: Promise<Connection>;
  readonly #id: PublicKey;
  readonly #alpn: Uint8Array;

  /** @internal */
  constructor(conn: Promise<Connection>, id: PublicKey, alpn: Uint8Array | string) {
    this.#conn = conn;
    this.#conn.catch(() => {});
    this.#id = id;
    this.#alpn = typeof alpn === 'string' ? new TextEncoder().encode(alpn) : alpn;
  }

  /** Completes the handshake. */
  connect(): Promise<Connection> {
    return this.#conn;
  }

  /** The ALPN being negotiated. */
  async alpn(): Promise<Uint8Array> {
    return this.#alpn;
  }

  /** The EndpointId being dialled. */
  async remoteId(): Promise<PublicKey> {
    return this.#id;
  }
}

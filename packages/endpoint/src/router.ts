/**
 * The router: accepts incoming connections and hands each to the {@link ProtocolHandler} registered
 * for its ALPN. `Router.builder(endpoint).accept(alpn, handler).spawn()`, as in iroh. Spawning sets the
 * endpoint's ALPNs to the registered ones, so a client offering none of them is refused in the TLS
 * handshake (no_application_protocol).
 */
import type { Connection } from './connection.js';
import type { Endpoint } from './endpoint.js';
import type { Accepting, Incoming } from './incoming.js';

/** A protocol served over iroh connections with one ALPN. */
export interface ProtocolHandler {
  /**
   * Optional: completes the handshake of an accepted connection (default: `accepting.connect()`).
   * Use it to look at the connection before the handshake finishes.
   */
  onAccepting?(accepting: Accepting): Promise<Connection>;
  /** Serves one connection. Errors are caught (and the connection closed) by the router. */
  accept(conn: Connection): Promise<void>;
  /** Called on router shutdown, before the endpoint closes. */
  shutdown?(): Promise<void>;
}

/** What to do with an incoming connection before the handshake. */
export type IncomingFilterOutcome = 'accept' | 'retry' | 'reject' | 'ignore';

/** An incoming-connection filter. */
export type IncomingFilter = (incoming: Incoming) => IncomingFilterOutcome | Promise<IncomingFilterOutcome>;

const key = (alpn: Uint8Array) => Array.from(alpn, (b) => b.toString(16).padStart(2, '0')).join('');
const toBytes = (a: Uint8Array | string) => (typeof a === 'string' ? new TextEncoder().encode(a) : a.slice());

/** Configures a {@link Router}. */
export class RouterBuilder {
  readonly #endpoint: Endpoint;
  readonly #handlers = new Map<string, { alpn: Uint8Array; handler: ProtocolHandler }>();
  #filter: IncomingFilter | undefined;

  /** @internal */
  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
  }

  /** Serves `alpn` with `handler` (a later registration of the same ALPN replaces it). */
  accept(alpn: Uint8Array | string, handler: ProtocolHandler): this {
    const bytes = toBytes(alpn);
    this.#handlers.set(key(bytes), { alpn: bytes, handler });
    return this;
  }

  /** Decides on each incoming connection before the handshake. */
  incomingFilter(filter: IncomingFilter): this {
    this.#filter = filter;
    return this;
  }

  /** Starts accepting. */
  spawn(): Router {
    return new Router(this.#endpoint, new Map(this.#handlers), this.#filter);
  }
}

/** Accepts connections and routes them to protocol handlers by ALPN. */
export class Router {
  readonly #endpoint: Endpoint;
  readonly #handlers: Map<string, { alpn: Uint8Array; handler: ProtocolHandler }>;
  readonly #filter: IncomingFilter | undefined;
  readonly #tasks = new Set<Promise<void>>();
  readonly #loop: Promise<void>;
  #shuttingDown = false;
  #shutdown: Promise<void> | undefined;

  /** A builder for a router on `endpoint`. */
  static builder(endpoint: Endpoint): RouterBuilder {
    return new RouterBuilder(endpoint);
  }

  /** @internal */
  constructor(
    endpoint: Endpoint,
    handlers: Map<string, { alpn: Uint8Array; handler: ProtocolHandler }>,
    filter: IncomingFilter | undefined,
  ) {
    this.#endpoint = endpoint;
    this.#handlers = handlers;
    this.#filter = filter;
    endpoint.setAlpns([...handlers.values()].map((h) => h.alpn));
    this.#loop = this.#acceptLoop();
  }

  /** The endpoint this router serves. */
  endpoint(): Endpoint {
    return this.#endpoint;
  }

  /** Whether {@link shutdown} was called. */
  isShutdown(): boolean {
    return this.#shuttingDown;
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      const inc = await this.#endpoint.acceptNext();
      if (!inc) return;
      if (this.#shuttingDown) {
        await inc.refuse();
        continue;
      }
      this.#track(this.#handle(inc));
    }
  }

  #track(task: Promise<void>): void {
    const t = task.catch(() => {});
    this.#tasks.add(t);
    void t.then(() => this.#tasks.delete(t));
  }

  async #handle(inc: Incoming): Promise<void> {
    const verdict = this.#filter ? await this.#filter(inc) : 'accept';
    if (verdict === 'ignore') return inc.ignore();
    if (verdict === 'reject') return inc.refuse();
    if (verdict === 'retry') return inc.retry();
    const accepting = await inc.accept();
    // The handler for the negotiated ALPN completes the handshake (its onAccepting, if any).
    const alpn = await accepting.alpn().catch(() => undefined);
    const entry = alpn ? this.#handlers.get(key(alpn)) : undefined;
    let conn: Connection;
    try {
      conn = entry?.handler.onAccepting
        ? await entry.handler.onAccepting(accepting)
        : await accepting.connect();
    } catch {
      return; // the handshake failed or a hook rejected it: nothing to serve
    }
    if (!entry) {
      conn.close(0n, new TextEncoder().encode('no handler for this ALPN'));
      return;
    }
    try {
      await entry.handler.accept(conn);
    } catch (e) {
      conn.close(0n, new TextEncoder().encode(`handler error: ${(e as Error).message}`.slice(0, 200)));
    }
  }

  /**
   * Stops accepting (new connections are refused), lets every handler finish in its `shutdown`, then
   * closes the endpoint (which closes the connections still open) and waits for the handler tasks.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#shuttingDown = true;
      await Promise.allSettled([...this.#handlers.values()].map((h) => h.handler.shutdown?.()));
      await this.#endpoint.close();
      await Promise.allSettled([...this.#tasks]);
      await this.#loop;
    })();
    return this.#shutdown;
  }
}

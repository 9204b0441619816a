/**
 * Helpers for the endpoint acceptance tests: bind an `@iroh-ts/endpoint` endpoint and a real iroh one
 * (`@number0/iroh`) the same way (presetMinimal, loopback, relays disabled), convert
 * ids and addresses between the two APIs, run accept loops, and wait with deadlines.
 */
import {
  type Connection,
  Endpoint,
  EndpointAddr,
  type EndpointHooks,
  PublicKey,
  presetMinimal,
  RelayMode,
} from '@iroh-ts/endpoint';
import * as iroh from '@number0/iroh';

/** An ALPN (or any string) as `@number0/iroh` takes bytes. */
export const irohBytes = (s: string): number[] => Array.from(new TextEncoder().encode(s));

export const toIrohId = (id: PublicKey): iroh.EndpointId =>
  iroh.EndpointId.fromBytes(Array.from(id.toBytes()));
export const toOurId = (id: iroh.EndpointId): PublicKey => PublicKey.fromBytes(Uint8Array.from(id.toBytes()));

/** Where to find an iroh endpoint, as our `EndpointAddr`: its direct addresses only. */
export const ourAddrOf = (ep: iroh.Endpoint): EndpointAddr =>
  new EndpointAddr(toOurId(ep.id()), undefined, ep.addr().directAddresses());

/** Where to find our endpoint, as iroh's `EndpointAddr`: its bound sockets only. */
export const irohAddrOf = (ep: Endpoint): iroh.EndpointAddr =>
  new iroh.EndpointAddr(toIrohId(ep.id()), null, ep.boundSockets());

/** A real iroh endpoint on 127.0.0.1: presetMinimal, relays disabled. */
export async function bindIroh(
  opts: { alpns?: string[]; secretKey?: iroh.SecretKey } = {},
): Promise<iroh.Endpoint> {
  const b = iroh.Endpoint.builder();
  iroh.presetMinimal(b);
  b.relayMode(iroh.RelayMode.disabled());
  b.bindAddr('127.0.0.1:0');
  if (opts.secretKey) b.secretKey(opts.secretKey.toBytes());
  if (opts.alpns) b.alpns(opts.alpns.map(irohBytes));
  return b.bind();
}

/** Our endpoint on 127.0.0.1: presetMinimal, relays disabled. */
export async function bindOurs(opts: { alpns?: string[]; hooks?: EndpointHooks } = {}): Promise<Endpoint> {
  const b = Endpoint.builder();
  presetMinimal(b);
  b.bindAddr('127.0.0.1:0');
  b.relayMode(RelayMode.disabled());
  if (opts.alpns) b.alpns(opts.alpns);
  if (opts.hooks) b.hooks(opts.hooks);
  return b.bind();
}

/** A queue of values that arrive in the background, taken in order with a deadline. */
export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #waiters: ((v: T) => void)[] = [];
  readonly all: T[] = [];

  push(v: T): void {
    this.all.push(v);
    const w = this.#waiters.shift();
    if (w) w(v);
    else this.#items.push(v);
  }

  next(ms = 10_000, what = 'the next item'): Promise<T> {
    const v = this.#items.shift();
    if (v !== undefined) return Promise.resolve(v);
    return withDeadline(new Promise<T>((resolve) => this.#waiters.push(resolve)), ms, what);
  }
}

/** Rejects if `p` does not settle within `ms`. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** An endpoint that hands out incoming connections as both iroh's and our API do. */
interface Acceptor<C> {
  acceptNext(): Promise<{ accept(): Promise<{ connect(): Promise<C> }> } | null>;
}

/**
 * Accepts every incoming connection of an endpoint (real iroh's or ours): each is pushed to the
 * returned inbox and handed to `serve` (errors ignored: connections end when the tests close them);
 * handshake failures go to `failures`.
 */
function acceptAll<C>(ep: Acceptor<C>, serve: (c: C) => Promise<void>, failures?: Inbox<Error>): Inbox<C> {
  const inbox = new Inbox<C>();
  void (async () => {
    for (;;) {
      const inc = await ep.acceptNext();
      if (!inc) return;
      void (async () => {
        let c: C;
        try {
          c = await (await inc.accept()).connect();
        } catch (e) {
          failures?.push(e as Error);
          return;
        }
        inbox.push(c);
        await serve(c);
      })().catch(() => {});
    }
  })().catch(() => {});
  return inbox;
}

/** {@link acceptAll} for a real iroh endpoint. */
export const acceptAllIroh = (
  ep: iroh.Endpoint,
  serve: (c: iroh.Connection) => Promise<void>,
  failures?: Inbox<Error>,
): Inbox<iroh.Connection> => acceptAll(ep, serve, failures);

/** {@link acceptAll} for our endpoint, through `acceptNext()`. */
export const acceptAllOurs = (
  ep: Endpoint,
  serve: (c: Connection) => Promise<void>,
  failures?: Inbox<Error>,
): Inbox<Connection> => acceptAll(ep, serve, failures);

/**
 * Sends `payload` as a datagram until one comes back (datagrams may be lost; the peer echoes them) and
 * returns the first datagram received.
 */
export async function datagramRoundTrip(
  send: () => void,
  read: () => Promise<Uint8Array | number[]>,
  what: string,
  tries = 20,
  intervalMs = 500,
): Promise<Uint8Array> {
  const got = read();
  let failure: unknown;
  got.catch((e: unknown) => {
    failure = e;
  });
  for (let i = 0; i < tries; i++) {
    send();
    const r = await withDeadline(got, intervalMs, what).catch(() => undefined);
    if (r) return Uint8Array.from(r);
    if (failure !== undefined) throw failure;
  }
  throw new Error(`${what}: no datagram came back after ${tries} tries`);
}

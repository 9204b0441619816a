import { PublicKey } from '../keys/public-key.js';
import type { RelayUrl } from './relay-url.js';
import type { SocketAddr } from './socket-addr.js';
import { TransportAddr } from './transport-addr.js';

/** Sorts and de-duplicates addresses into iroh's `BTreeSet` order. */
function normalise(addrs: Iterable<TransportAddr>): TransportAddr[] {
  const sorted = [...addrs].sort(TransportAddr.compare);
  return sorted.filter((a, i) => i === 0 || TransportAddr.compare(sorted[i - 1]!, a) !== 0);
}

/**
 * An endpoint's id plus the ordered set of transport addresses where it may be reached. Immutable: the
 * `with*` methods return a new address.
 *
 * The constructor mirrors `@number0/iroh`'s: `new EndpointAddr(id, relayUrl?, directAddresses?)`.
 */
export class EndpointAddr {
  readonly #id: PublicKey;
  #addrs: readonly TransportAddr[];

  /**
   * @param id - the endpoint's id (a {@link PublicKey}, or its string form).
   * @param relayUrl - an optional relay URL.
   * @param addresses - optional `ip:port` socket addresses.
   * @throws {@link KeyParsingError} or {@link AddrParseError} on malformed input.
   */
  constructor(
    id: PublicKey | string,
    relayUrl?: RelayUrl | string | null,
    addresses?: Iterable<SocketAddr | string> | null,
  ) {
    this.#id = typeof id === 'string' ? PublicKey.fromString(id) : id;
    const addrs: TransportAddr[] = [];
    if (relayUrl !== undefined && relayUrl !== null) addrs.push(TransportAddr.relay(relayUrl));
    for (const a of addresses ?? []) addrs.push(TransportAddr.ip(a));
    this.#addrs = Object.freeze(normalise(addrs));
  }

  /** The transport addresses, sorted as iroh sorts them (relays, then IPs, then custom) and unique. */
  get addrs(): readonly TransportAddr[] {
    return this.#addrs;
  }

  /** Builds an address from an id and any transport addresses. */
  static fromParts(id: PublicKey, addrs: Iterable<TransportAddr>): EndpointAddr {
    return new EndpointAddr(id).withAddrs(addrs);
  }

  /** The endpoint's id. */
  id(): PublicKey {
    return this.#id;
  }

  /** The first relay URL in iroh's order as a string, or `null`. */
  relayUrl(): string | null {
    const first = this.relayUrls()[0];
    return first ? first.toString() : null;
  }

  /** All relay URLs. */
  relayUrls(): RelayUrl[] {
    return this.addrs.flatMap((a) => (a.type === 'relay' ? [a.url] : []));
  }

  /** The IP socket addresses. */
  ipAddrs(): SocketAddr[] {
    return this.addrs.flatMap((a) => (a.type === 'ip' ? [a.addr] : []));
  }

  /** The IP socket addresses as `ip:port` strings (as in `@number0/iroh`). */
  directAddresses(): string[] {
    return this.ipAddrs().map((a) => a.toString());
  }

  /** True when there are no transport addresses, only the id. */
  isEmpty(): boolean {
    return this.addrs.length === 0;
  }

  /** A copy with more transport addresses. */
  withAddrs(addrs: Iterable<TransportAddr>): EndpointAddr {
    const next = new EndpointAddr(this.#id);
    next.#addrs = Object.freeze(normalise([...this.#addrs, ...addrs]));
    return next;
  }

  /** A copy with a relay URL added. */
  withRelayUrl(url: RelayUrl | string): EndpointAddr {
    return this.withAddrs([TransportAddr.relay(url)]);
  }

  /** A copy with an IP address added. */
  withIpAddr(addr: SocketAddr | string): EndpointAddr {
    return this.withAddrs([TransportAddr.ip(addr)]);
  }

  /** True when both have the same id and the same addresses. */
  equals(other: EndpointAddr): boolean {
    return (
      this.#id.equals(other.#id) &&
      this.addrs.length === other.addrs.length &&
      this.addrs.every((a, i) => TransportAddr.equals(a, other.addrs[i]!))
    );
  }

  /** Alias of {@link equals}, matching `@number0/iroh`'s `equal`. */
  equal(other: EndpointAddr): boolean {
    return this.equals(other);
  }

  /** `<id> relay=<url> addrs=[a, b]`, in the shape `@number0/iroh` prints. */
  toString(): string {
    let s = this.#id.toString();
    const relay = this.relayUrl();
    if (relay !== null) s += ` relay=${relay}`;
    const direct = this.directAddresses();
    if (direct.length > 0) s += ` addrs=[${direct.join(', ')}]`;
    return s;
  }
}

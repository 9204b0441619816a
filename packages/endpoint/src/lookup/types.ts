/**
 * The address-lookup contract (iroh `address_lookup::AddressLookup`): how an endpoint publishes its own
 * addressing information and finds a remote endpoint's addresses from its EndpointId alone.
 */
import type { EndpointAddr, PublicKey, SecretKey, TransportAddr } from '@iroh-ts/base';
import type { EndpointInfo, FetchFn, UserData } from '@iroh-ts/dns-server';

/**
 * What an endpoint publishes about itself (iroh `EndpointData`): its transport addresses (home relay
 * URL(s), direct IP addresses, custom transports) and optional application data. The endpoint's id is not
 * part of it: each publisher signs for the key it was built with.
 *
 * Publishers decide which addresses they actually publish (e.g. {@link PkarrPublisherLookup} publishes
 * relay URLs only unless given another filter).
 */
export interface EndpointData {
  /** Every current transport address of the endpoint, in priority order. */
  readonly addrs: readonly TransportAddr[];
  /** Optional application data (at most 245 UTF-8 bytes). */
  readonly userData?: UserData;
}

/** One result of {@link AddressLookup.resolve} (iroh `address_lookup::Item`). */
export interface AddressLookupItem {
  /** The remote's id and the addresses found for it. */
  readonly addr: EndpointAddr;
  /** Which lookup found it, e.g. `"pkarr"`, `"dns"`, `"memory"`; for diagnostics. */
  readonly provenance: string;
  /** When the information was last updated at its source, in ms since the Unix epoch, if known. */
  readonly lastUpdated?: number;
  /** Application data published with the addresses, if any. */
  readonly userData?: UserData;
}

/**
 * An address-lookup service. Implementations may publish, resolve, or both.
 *
 * `resolve` returns an async iterable that yields items as they are found and then ends. It may yield
 * nothing. It may throw an {@link AddressLookupError} (code `'service'`) when the service failed; when
 * `signal` aborts it ends promptly without throwing.
 */
export interface AddressLookup {
  /**
   * Our own addressing information changed (called by the endpoint). Fire and forget: publishing that
   * needs I/O happens in the background.
   */
  publish?(data: EndpointData): void;
  /** Resolves a remote: an async iterable of items as they are found; may yield nothing. Honours `signal`. */
  resolve(endpointId: PublicKey, signal?: AbortSignal): AsyncIterable<AddressLookupItem>;
  /** Releases timers and sockets. */
  close?(): void | Promise<void>;
}

/** What an {@link AddressLookupBuilder} receives from the endpoint that mounts the lookup. */
export interface AddressLookupContext {
  /** The endpoint's secret key; publishers sign with it. */
  readonly secretKey: SecretKey;
  /** The endpoint's HTTPS fetch (honours its `caRoots`); HTTP-based services use it unless told otherwise. */
  readonly fetch?: FetchFn;
}

/**
 * Builds an {@link AddressLookup} once the endpoint is known (iroh `AddressLookupBuilder`), so that
 * publishers get the endpoint's key. The endpoint builder accepts an `AddressLookup` or a builder.
 */
export type AddressLookupBuilder = (ctx: AddressLookupContext) => AddressLookup;

/** Turns an {@link AddressLookup} or an {@link AddressLookupBuilder} into an `AddressLookup`. */
export function intoAddressLookup(
  lookup: AddressLookup | AddressLookupBuilder,
  ctx: AddressLookupContext,
): AddressLookup {
  return typeof lookup === 'function' ? lookup(ctx) : lookup;
}

/** An {@link AddressLookupItem} from an {@link EndpointInfo} (as decoded from pkarr or DNS). */
export function itemFromEndpointInfo(
  info: EndpointInfo,
  provenance: string,
  lastUpdated?: number,
): AddressLookupItem {
  return {
    addr: info.toEndpointAddr(),
    provenance,
    ...(lastUpdated === undefined ? {} : { lastUpdated }),
    ...(info.userData === undefined ? {} : { userData: info.userData }),
  };
}

/**
 * {@link EndpointBuilder}: collects an endpoint's configuration; presets (`presetMinimal`,
 * `presetN0`, `presetN0DisableRelay`) are functions applied to it. `bind()` creates the endpoint.
 */
import { SecretKey } from '@iroh-ts/base';
import type { AddrFilter, UserData } from '@iroh-ts/dns-server';
import type { TransportConfig } from '@iroh-ts/quic';
import type { RelayClientOptions } from '@iroh-ts/relay';
import { Endpoint } from './endpoint.js';
import { EndpointError } from './errors.js';
import type { EndpointHooks } from './hooks.js';
import type { AddressLookup, AddressLookupBuilder } from './lookup/index.js';
import { RelayMode } from './relay-map.js';
import type { CustomTransport } from './socket/custom.js';
import type { IpSocketFactory } from './socket/socket-layer.js';

/** CA roots for relays and HTTPS lookups (iroh's `CaRootsConfig`). */
export interface CaRootsConfig {
  /** Extra trusted roots (PEM or DER), added to the platform's. */
  readonly extraRoots?: readonly (string | Uint8Array)[];
  /** Accept any certificate. Only for tests. */
  readonly insecureSkipVerify?: boolean;
}

/** The largest QUIC multipath path id iroh allows (`MAX_MULTIPATH_PATHS` 8 − 1). */
export const IROH_MAX_PATH_ID = 7;
/** Candidate addresses iroh accepts from a peer for NAT traversal (`MAX_QNT_ADDRESSES`). */
export const IROH_MAX_NAT_TRAVERSAL_ADDRESSES = 32;

/** Everything an endpoint is configured with. @internal */
export interface EndpointConfig {
  readonly secretKey: SecretKey;
  readonly alpns: readonly Uint8Array[];
  /** UDP sockets to bind; `[]` for none. */
  readonly bindAddrs: readonly string[];
  readonly optionalBindAddrs: readonly string[];
  readonly relayMode: RelayMode;
  readonly addressLookups: readonly (AddressLookup | AddressLookupBuilder)[];
  readonly addrFilter: AddrFilter | undefined;
  readonly userData: UserData | undefined;
  readonly hooks: readonly EndpointHooks[];
  readonly transportConfig: Partial<TransportConfig> | undefined;
  readonly caRoots: CaRootsConfig | undefined;
  readonly customTransports: readonly CustomTransport[];
  readonly externalAddrs: readonly string[];
  readonly ipSocketFactory: IpSocketFactory | undefined;
  readonly relayClientOptions: Partial<RelayClientOptions> | undefined;
}

/** Options of `Endpoint.bind` (as `@number0/iroh`'s `EndpointOptions`). */
export interface EndpointOptions {
  readonly bindAddr?: string;
  readonly secretKey?: Uint8Array | SecretKey;
  readonly alpns?: readonly (Uint8Array | string)[];
}

const enc = new TextEncoder();
const toBytes = (a: Uint8Array | string): Uint8Array => (typeof a === 'string' ? enc.encode(a) : a.slice());

/** Builds an {@link Endpoint}. */
export class EndpointBuilder {
  #secretKey: SecretKey | undefined;
  #alpns: Uint8Array[] = [];
  #v4: string | undefined = '0.0.0.0:0';
  #v6: string | undefined = '[::]:0';
  #v6Required = false;
  #relayMode: RelayMode = RelayMode.disabled();
  #lookups: (AddressLookup | AddressLookupBuilder)[] = [];
  #addrFilter: AddrFilter | undefined;
  #userData: UserData | undefined;
  #hooks: EndpointHooks[] = [];
  #transport: Partial<TransportConfig> | undefined;
  #caRoots: CaRootsConfig | undefined;
  #custom: CustomTransport[] = [];
  #external: string[] = [];
  #ipSocketFactory: IpSocketFactory | undefined;
  #relayClientOptions: Partial<RelayClientOptions> | undefined;

  /** The secret key (a {@link SecretKey} or its 32 bytes); a new one is generated when unset. */
  secretKey(key: SecretKey | Uint8Array): this {
    this.#secretKey = key instanceof SecretKey ? key : SecretKey.fromBytes(key);
    return this;
  }

  /** The ALPNs we accept incoming connections for. */
  alpns(alpns: readonly (Uint8Array | string)[]): this {
    this.#alpns = alpns.map(toBytes);
    return this;
  }

  /** How relays are used (default: disabled until a preset sets them). */
  relayMode(mode: RelayMode): this {
    this.#relayMode = mode;
    return this;
  }

  /**
   * Binds the UDP socket of that address family to `addr` (`ip:port`) instead of the default
   * `0.0.0.0:0` / `[::]:0`. Binding an IPv4 address drops the default IPv6 socket and vice versa
   * unless that family was bound explicitly too.
   */
  bindAddr(addr: string): this {
    if (addr.startsWith('[')) {
      this.#v6 = addr;
      this.#v6Required = true;
      if (this.#v4 === '0.0.0.0:0') this.#v4 = undefined;
    } else {
      this.#v4 = addr;
      if (!this.#v6Required) this.#v6 = undefined;
    }
    return this;
  }

  /** No UDP sockets at all (relay or custom transports only). */
  clearIpTransports(): this {
    this.#v4 = undefined;
    this.#v6 = undefined;
    this.#v6Required = false;
    return this;
  }

  /** Adds an address lookup service (or a builder that receives the secret key). Repeatable. */
  addressLookup(lookup: AddressLookup | AddressLookupBuilder): this {
    this.#lookups.push(lookup);
    return this;
  }

  /** Removes every address lookup service added so far. */
  clearAddressLookup(): this {
    this.#lookups = [];
    return this;
  }

  /** Which of our addresses publishers publish (default: theirs, relay-only for pkarr). */
  addrFilter(filter: AddrFilter): this {
    this.#addrFilter = filter;
    return this;
  }

  /** User data published with our address. */
  userDataForAddressLookup(data: UserData): this {
    this.#userData = data;
    return this;
  }

  /** Adds hooks; they run in the order added. */
  hooks(hooks: EndpointHooks): this {
    this.#hooks.push(hooks);
    return this;
  }

  /** QUIC transport settings (idle timeout, keep-alive, windows, …). */
  transportConfig(config: Partial<TransportConfig>): this {
    this.#transport = { ...this.#transport, ...config };
    return this;
  }

  /** CA roots used to verify relays and HTTPS lookups. */
  caRoots(config: CaRootsConfig): this {
    this.#caRoots = config;
    return this;
  }

  /** Adds a custom transport (unstable, as in iroh). */
  addCustomTransport(transport: CustomTransport): this {
    this.#custom.push(transport);
    return this;
  }

  /** An address we are reachable at that we cannot discover ourselves (port forwarding). */
  externalAddr(addr: string): this {
    this.#external.push(addr);
    return this;
  }

  /** Replaces node:dgram sockets (tests, other runtimes). */
  ipSocketFactory(factory: IpSocketFactory): this {
    this.#ipSocketFactory = factory;
    return this;
  }

  /** Extra options for every relay client (timers, WebSocket factory, …). */
  relayClientOptions(options: Partial<RelayClientOptions>): this {
    this.#relayClientOptions = options;
    return this;
  }

  /** Applies `presetN0`. */
  applyN0(): this {
    return this.#apply('presetN0');
  }
  /** Applies `presetMinimal`. */
  applyMinimal(): this {
    return this.#apply('presetMinimal');
  }
  /** Applies `presetN0DisableRelay`. */
  applyN0DisableRelay(): this {
    return this.#apply('presetN0DisableRelay');
  }

  #apply(name: 'presetN0' | 'presetMinimal' | 'presetN0DisableRelay'): this {
    // The presets live in their own module (they pull in the n0 lookup services).
    const preset = presetRegistry[name];
    if (!preset) throw new EndpointError('InvalidConfig', `preset ${name} is not loaded`);
    preset(this);
    return this;
  }

  /** @internal */
  config(): EndpointConfig {
    const bindAddrs = [this.#v4, this.#v6].filter((a): a is string => a !== undefined);
    return {
      secretKey: this.#secretKey ?? SecretKey.generate(),
      alpns: this.#alpns,
      bindAddrs,
      optionalBindAddrs: this.#v6 !== undefined && !this.#v6Required ? [this.#v6] : [],
      relayMode: this.#relayMode,
      addressLookups: this.#lookups,
      addrFilter: this.#addrFilter,
      userData: this.#userData,
      hooks: this.#hooks,
      // iroh negotiates QUIC multipath with 8 paths (initial_max_path_id 7).
      transportConfig: {
        maxPathId: IROH_MAX_PATH_ID,
        maxNatTraversalAddresses: IROH_MAX_NAT_TRAVERSAL_ADDRESSES,
        ...this.#transport,
      },
      caRoots: this.#caRoots,
      customTransports: this.#custom,
      externalAddrs: this.#external,
      ipSocketFactory: this.#ipSocketFactory,
      relayClientOptions: this.#relayClientOptions,
    };
  }

  /** Binds the sockets, connects to relays and starts publishing: the endpoint is ready. */
  bind(): Promise<Endpoint> {
    return Endpoint.fromConfig(this.config());
  }
}

/** @internal Filled in by `presets.ts`. */
export const presetRegistry: Partial<
  Record<'presetN0' | 'presetMinimal' | 'presetN0DisableRelay', (b: EndpointBuilder) => void>
> = {};

/** @internal */
export function optionsToBuilder(b: EndpointBuilder, options: EndpointOptions): EndpointBuilder {
  if (options.bindAddr !== undefined) b.bindAddr(options.bindAddr);
  if (options.secretKey !== undefined) b.secretKey(options.secretKey);
  if (options.alpns !== undefined) b.alpns(options.alpns);
  return b;
}

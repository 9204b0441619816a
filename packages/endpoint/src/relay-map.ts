/**
 * Which relays an endpoint uses: {@link RelayMap} (URL → {@link RelayConfig}) and {@link RelayMode},
 * as in `@number0/iroh`. The default and staging maps are number 0's public relays (iroh's
 * `defaults.rs`).
 */
import { RelayUrl } from '@iroh-ts/base';
import { EndpointError } from './errors.js';

/** One relay: its URL, and optionally a QUIC address-discovery port and an access token. */
export interface RelayConfig {
  readonly url: string;
  /** The relay's QUIC address-discovery port (iroh's default is 7842). */
  readonly quicPort?: number;
  /** Access token for relays that require one. */
  readonly authToken?: string;
}

/** number 0's production relays. */
export const N0_RELAYS_PROD: readonly string[] = [
  'https://use1-1.relay.n0.iroh.link./',
  'https://usw1-1.relay.n0.iroh.link./',
  'https://euc1-1.relay.n0.iroh.link./',
  'https://aps1-1.relay.n0.iroh.link./',
];

/** number 0's staging relays. */
export const N0_RELAYS_STAGING: readonly string[] = [
  'https://use1-1.staging-relay.n0.iroh.link./',
  'https://euc1-1.staging-relay.n0.iroh.link./',
];

/** A set of relays by URL (normalised as iroh normalises relay URLs). */
export class RelayMap {
  readonly #relays = new Map<string, RelayConfig>();

  private constructor() {}

  /** An empty map. */
  static empty(): RelayMap {
    return new RelayMap();
  }

  /**
   * A map of the given URLs, with no tokens.
   * @throws {@link EndpointError} `InvalidConfig` for a URL that is not a relay URL.
   */
  static fromUrls(urls: Iterable<string>): RelayMap {
    const m = new RelayMap();
    for (const url of urls) m.insert({ url });
    return m;
  }

  /** Adds or replaces a relay. */
  insert(config: RelayConfig): void {
    const url = normaliseRelayUrl(config.url);
    this.#relays.set(url, { ...config, url });
  }

  /** Removes a relay; returns whether it was there. */
  remove(url: string): boolean {
    return this.#relays.delete(normaliseRelayUrl(url));
  }

  /** Whether the relay is in the map. */
  contains(url: string): boolean {
    return this.#relays.has(normaliseRelayUrl(url));
  }

  /** The relay's configuration, or `null`. */
  get(url: string): RelayConfig | null {
    return this.#relays.get(normaliseRelayUrl(url)) ?? null;
  }

  /** The relay URLs, in insertion order. */
  urls(): string[] {
    return [...this.#relays.keys()];
  }

  /** The relays' configurations. */
  configs(): RelayConfig[] {
    return [...this.#relays.values()];
  }

  len(): number {
    return this.#relays.size;
  }

  isEmpty(): boolean {
    return this.#relays.size === 0;
  }

  /** A copy. */
  clone(): RelayMap {
    const m = new RelayMap();
    for (const c of this.#relays.values()) m.insert(c);
    return m;
  }

  toString(): string {
    return `RelayMap(${this.urls().join(', ')})`;
  }
}

/** Canonical form of a relay URL (as iroh's `RelayUrl`); throws `InvalidConfig` when malformed. */
export function normaliseRelayUrl(url: string): string {
  try {
    return RelayUrl.parse(url).toString();
  } catch (e) {
    throw new EndpointError('InvalidConfig', `not a relay URL: ${JSON.stringify(url)}`, { cause: e });
  }
}

/** How an endpoint uses relays. */
export class RelayMode {
  private constructor(
    /** `disabled`, `default`, `staging` or `custom`. */
    readonly kind: 'disabled' | 'default' | 'staging' | 'custom',
    private readonly map: RelayMap,
  ) {}

  /** No relays: direct connections only. */
  static disabled(): RelayMode {
    return new RelayMode('disabled', RelayMap.empty());
  }

  /** number 0's production relays (staging ones when `IROH_FORCE_STAGING_RELAYS` is set). */
  static defaultMode(): RelayMode {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    if (env?.IROH_FORCE_STAGING_RELAYS) return RelayMode.staging();
    return new RelayMode('default', RelayMap.fromUrls(N0_RELAYS_PROD));
  }

  /** number 0's staging relays. */
  static staging(): RelayMode {
    return new RelayMode('staging', RelayMap.fromUrls(N0_RELAYS_STAGING));
  }

  /** The given relays. */
  static custom(map: RelayMap): RelayMode {
    return new RelayMode('custom', map.clone());
  }

  /** The given relay URLs. */
  static customFromUrls(urls: Iterable<string>): RelayMode {
    return new RelayMode('custom', RelayMap.fromUrls(urls));
  }

  /** The relays of this mode (a copy). */
  relayMap(): RelayMap {
    return this.map.clone();
  }

  toString(): string {
    return this.kind === 'custom' ? `Custom(${this.map.urls().join(', ')})` : this.kind;
  }
}

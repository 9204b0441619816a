import { AddrParseError } from '../errors.js';

/**
 * The URL of a relay server, normalised the way iroh's `RelayUrl` is: parsed as a WHATWG URL (Rust's
 * `url` crate follows the same standard), so the scheme and host are lowercased, a default port is
 * dropped and an empty path becomes `/`. A trailing dot on the host (a fully-qualified name) is kept.
 */
export class RelayUrl {
  readonly #href: string;

  private constructor(href: string) {
    this.#href = href;
  }

  /**
   * Parses and normalises a relay URL.
   *
   * @throws {@link AddrParseError} `InvalidRelayUrl` when `input` is not an absolute URL.
   */
  static parse(input: string | URL | RelayUrl): RelayUrl {
    if (input instanceof RelayUrl) return input;
    if (input instanceof URL) return new RelayUrl(input.href);
    if (typeof input !== 'string') {
      throw new AddrParseError('InvalidRelayUrl', `relay URL must be a string, got a ${typeof input}`);
    }
    let url: URL;
    try {
      url = new URL(input);
    } catch (cause) {
      throw new AddrParseError('InvalidRelayUrl', `invalid relay URL ${JSON.stringify(input)}`, { cause });
    }
    return new RelayUrl(url.href);
  }

  /** The normalised URL string, e.g. `https://relay.example.com/`. */
  toString(): string {
    return this.#href;
  }

  /** A WHATWG `URL` for this relay (a new object each call). */
  toURL(): URL {
    return new URL(this.#href);
  }

  /** True when both URLs normalise to the same string. */
  equals(other: RelayUrl): boolean {
    return this.#href === other.#href;
  }

  /** Orders relay URLs by their string form, as iroh's `Ord` on `RelayUrl` does. */
  static compare(a: RelayUrl, b: RelayUrl): number {
    return a.#href < b.#href ? -1 : a.#href > b.#href ? 1 : 0;
  }
}

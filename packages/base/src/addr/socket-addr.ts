import { AddrParseError } from '../errors.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.js';

/**
 * An IP socket address (IPv4 or IPv6 plus a port), as in Rust's `SocketAddr`. IPv6 flow info and scope
 * are not kept: iroh does not put them on the wire.
 */
export class SocketAddr {
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly #ip: Uint8Array;
  /** The port, 0 to 65535. */
  readonly port: number;
  #text: string | undefined;

  private constructor(ip: Uint8Array, port: number) {
    this.#ip = ip;
    this.port = port;
  }

  /**
   * Builds an address from raw IP bytes (4 or 16) and a port.
   *
   * @throws {@link AddrParseError} on a wrong byte length or an out-of-range port.
   */
  static fromParts(ip: Uint8Array, port: number): SocketAddr {
    if (!(ip instanceof Uint8Array) || (ip.length !== 4 && ip.length !== 16)) {
      throw new AddrParseError('InvalidIpAddr', 'an IP address is 4 or 16 bytes');
    }
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
      throw new AddrParseError('InvalidPort', `invalid port ${port}`);
    }
    return new SocketAddr(ip.slice(), port);
  }

  /**
   * Parses `a.b.c.d:port` or `[v6]:port`, with Rust's rules.
   *
   * @throws {@link AddrParseError} `InvalidSocketAddr`, `InvalidIpAddr` or `InvalidPort`.
   */
  static parse(text: string): SocketAddr {
    if (typeof text !== 'string') {
      throw new AddrParseError('InvalidSocketAddr', `socket address must be a string, got a ${typeof text}`);
    }
    let host: string;
    let portText: string;
    let ip: Uint8Array | undefined;
    if (text.startsWith('[')) {
      const close = text.indexOf(']');
      if (close < 0 || text[close + 1] !== ':') {
        throw new AddrParseError('InvalidSocketAddr', `invalid socket address ${JSON.stringify(text)}`);
      }
      host = text.slice(1, close);
      portText = text.slice(close + 2);
      ip = parseIpv6(host);
    } else {
      const colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new AddrParseError('InvalidSocketAddr', `socket address ${JSON.stringify(text)} has no port`);
      }
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
      ip = parseIpv4(host);
    }
    if (!ip) throw new AddrParseError('InvalidIpAddr', `invalid IP address ${JSON.stringify(host)}`);
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 0xffff) {
      throw new AddrParseError('InvalidPort', `invalid port ${JSON.stringify(portText)}`);
    }
    return new SocketAddr(ip, Number(portText));
  }

  /** 4 for IPv4, 6 for IPv6. */
  get family(): 4 | 6 {
    return this.#ip.length === 4 ? 4 : 6;
  }

  /** The IP address bytes (a copy). */
  ipBytes(): Uint8Array {
    return this.#ip.slice();
  }

  /** @internal A view of the IP bytes. */
  get ipView(): Uint8Array {
    return this.#ip;
  }

  /** The IP address as text, without brackets (e.g. `::1`). */
  ip(): string {
    return this.#ip.length === 4 ? formatIpv4(this.#ip) : formatIpv6(this.#ip);
  }

  /** `a.b.c.d:port` or `[v6]:port`, exactly as Rust prints it. */
  toString(): string {
    this.#text ??= this.#ip.length === 4 ? `${this.ip()}:${this.port}` : `[${this.ip()}]:${this.port}`;
    return this.#text;
  }

  /** True for the same IP and port. */
  equals(other: SocketAddr): boolean {
    return SocketAddr.compare(this, other) === 0;
  }

  /** Rust's `Ord` on `SocketAddr`: IPv4 before IPv6, then by address bytes, then by port. */
  static compare(a: SocketAddr, b: SocketAddr): number {
    if (a.#ip.length !== b.#ip.length) return a.#ip.length - b.#ip.length;
    for (let i = 0; i < a.#ip.length; i++) {
      const d = a.#ip[i]! - b.#ip[i]!;
      if (d !== 0) return d;
    }
    return a.port - b.port;
  }
}

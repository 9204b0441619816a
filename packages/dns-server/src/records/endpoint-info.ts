/**
 * What an endpoint publishes about itself (SRC iroh `iroh-dns/src/endpoint_info.rs`): its id, its
 * transport addresses (relay URLs, IP socket addresses, custom transports) and optional user data; and the
 * mapping to and from the `_iroh` TXT records of a pkarr packet or a DNS answer.
 */
import {
  CustomAddr,
  EndpointAddr,
  type PublicKey,
  type RelayUrl,
  RelayUrl as RelayUrlClass,
  type SecretKey,
  SocketAddr,
  TransportAddr,
} from '@iroh-ts/base';
import { SignedPacket, type SignOptions } from '../pkarr/signed-packet.js';
import type { AddrFilter } from './addr-filter.js';
import {
  endpointIdFromTxtName,
  formatTxtAttrs,
  IROH_TXT_NAME,
  type IrohAttr,
  parseTxtAttrs,
} from './attrs.js';
import { EndpointInfoError } from './errors.js';
import { UserData } from './user-data.js';

/** The TTL iroh's publisher uses, in seconds. */
export const DEFAULT_PKARR_TTL = 30;

function dedup(addrs: Iterable<TransportAddr>): TransportAddr[] {
  const out: TransportAddr[] = [];
  for (const a of addrs) if (!out.some((b) => TransportAddr.equals(a, b))) out.push(a);
  return out;
}

function addrToValue(a: TransportAddr): string {
  return a.type === 'relay' ? a.url.toString() : a.addr.toString();
}

/**
 * An endpoint id plus the data published about it. Addresses keep their order (it may encode priority)
 * with duplicates removed. Immutable.
 */
export class EndpointInfo {
  /** The endpoint this is about. */
  readonly endpointId: PublicKey;
  /** Transport addresses, in order, without duplicates. */
  readonly addrs: readonly TransportAddr[];
  /** Application data, if any. */
  readonly userData: UserData | undefined;

  /**
   * @param endpointId - the endpoint's id.
   * @param addrs - its addresses; duplicates are dropped, order is kept.
   * @param userData - optional user data.
   */
  constructor(endpointId: PublicKey, addrs: Iterable<TransportAddr> = [], userData?: UserData) {
    this.endpointId = endpointId;
    this.addrs = Object.freeze(dedup(addrs));
    this.userData = userData;
  }

  /** From an {@link EndpointAddr} (its addresses in iroh's sorted order). */
  static fromEndpointAddr(addr: EndpointAddr, userData?: UserData): EndpointInfo {
    return new EndpointInfo(addr.id(), addr.addrs, userData);
  }

  /** The relay URLs. */
  relayUrls(): RelayUrl[] {
    return this.addrs.flatMap((a) => (a.type === 'relay' ? [a.url] : []));
  }

  /** The IP socket addresses. */
  ipAddrs(): SocketAddr[] {
    return this.addrs.flatMap((a) => (a.type === 'ip' ? [a.addr] : []));
  }

  /** The custom transport addresses. */
  customAddrs(): CustomAddr[] {
    return this.addrs.flatMap((a) => (a.type === 'custom' ? [a.addr] : []));
  }

  /** An {@link EndpointAddr} with the same id and addresses (user data is dropped). */
  toEndpointAddr(): EndpointAddr {
    return EndpointAddr.fromParts(this.endpointId, this.addrs);
  }

  /** A copy with more addresses appended (duplicates dropped). */
  withAddrs(addrs: Iterable<TransportAddr>): EndpointInfo {
    return new EndpointInfo(this.endpointId, [...this.addrs, ...addrs], this.userData);
  }

  /** A copy with different user data. */
  withUserData(userData: UserData | undefined): EndpointInfo {
    return new EndpointInfo(this.endpointId, this.addrs, userData);
  }

  /** A copy with `filter` applied to the addresses. */
  filtered(filter: AddrFilter): EndpointInfo {
    return new EndpointInfo(this.endpointId, filter(this.addrs), this.userData);
  }

  /** The `key=value` TXT strings: all `relay=`, then all `addr=`, then `user-data=`. */
  toTxtStrings(): string[] {
    const attrs = new Map<IrohAttr, string[]>([
      ['relay', []],
      ['addr', []],
      ['user-data', []],
    ]);
    for (const a of this.addrs) attrs.get(a.type === 'relay' ? 'relay' : 'addr')!.push(addrToValue(a));
    if (this.userData) attrs.get('user-data')!.push(this.userData.toString());
    return formatTxtAttrs(attrs);
  }

  /**
   * Parses TXT strings published for `endpointId`. Relay URLs and addresses that do not parse are skipped
   * (as iroh does); only the first valid user data is kept.
   *
   * @throws {@link EndpointInfoError} `UnexpectedFormat` or `UnknownAttr`.
   */
  static fromTxtStrings(endpointId: PublicKey, strings: Iterable<string>): EndpointInfo {
    const attrs = parseTxtAttrs(strings);
    const addrs: TransportAddr[] = [];
    for (const v of attrs.get('relay') ?? []) {
      try {
        addrs.push(TransportAddr.relay(RelayUrlClass.parse(v)));
      } catch {
        // skipped, like iroh's `filter_map(Url::parse(..).ok())`
      }
    }
    for (const v of attrs.get('addr') ?? []) {
      const addr = parseAddrValue(v);
      if (addr) addrs.push(addr);
    }
    let userData: UserData | undefined;
    const first = attrs.get('user-data')?.[0];
    if (first !== undefined) {
      try {
        userData = UserData.parse(first);
      } catch {
        userData = undefined;
      }
    }
    return new EndpointInfo(endpointId, addrs, userData);
  }

  /**
   * Parses the TXT strings of a DNS lookup of `name` (`_iroh.<z32>.<origin>`); the id comes from the name.
   *
   * @throws {@link EndpointInfoError}
   */
  static fromTxtLookup(name: string, strings: Iterable<string>): EndpointInfo {
    return EndpointInfo.fromTxtStrings(endpointIdFromTxtName(name), strings);
  }

  /** Reads the `_iroh` TXT records of a verified packet. @throws {@link EndpointInfoError} */
  static fromSignedPacket(packet: SignedPacket): EndpointInfo {
    return EndpointInfo.fromTxtStrings(packet.publicKey, packet.txtRecords(IROH_TXT_NAME));
  }

  /**
   * Builds and signs the packet iroh publishes: one TXT record per value under `_iroh.<z32>`.
   *
   * @throws {@link EndpointInfoError} `EncodingFailed` when the packet would be too large.
   */
  toSignedPacket(secretKey: SecretKey, ttl = DEFAULT_PKARR_TTL, options: SignOptions = {}): SignedPacket {
    if (!secretKey.public().equals(this.endpointId)) {
      throw new EndpointInfoError('EncodingFailed', 'secret key does not belong to this endpoint id');
    }
    try {
      return SignedPacket.fromTxtStrings(secretKey, IROH_TXT_NAME, this.toTxtStrings(), ttl, options);
    } catch (cause) {
      throw new EndpointInfoError('EncodingFailed', `cannot build packet: ${(cause as Error).message}`, {
        cause,
      });
    }
  }

  /** True for the same id, the same addresses in the same order and the same user data. */
  equals(other: EndpointInfo): boolean {
    return (
      this.endpointId.equals(other.endpointId) &&
      this.addrs.length === other.addrs.length &&
      this.addrs.every((a, i) => TransportAddr.equals(a, other.addrs[i]!)) &&
      (this.userData === undefined
        ? other.userData === undefined
        : other.userData !== undefined && this.userData.equals(other.userData))
    );
  }
}

/** An `addr=` value: a socket address, else a custom address, else nothing. */
function parseAddrValue(v: string): TransportAddr | undefined {
  try {
    return TransportAddr.ip(SocketAddr.parse(v));
  } catch {
    // not a socket address
  }
  try {
    return TransportAddr.custom(CustomAddr.parse(v));
  } catch {
    return undefined;
  }
}

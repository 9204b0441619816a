/**
 * The authoritative data of the DNS server besides the pkarr zones (iroh-dns-server `DnsConfig`): the
 * origins it serves, and the SOA, NS, A and AAAA records at each origin apex.
 */
import { RecordClass, RecordType } from '../../dns/constants.js';
import { parseIp } from '../../dns/ip-text.js';
import type { ResourceRecord } from '../../dns/message.js';
import { lowerName, type Name, nameToString, parseName } from '../../dns/name.js';
import type { SoaData } from '../../dns/rdata.js';
import { ServerConfigError } from '../errors.js';

/** TTL of apex NS records: 12 h. */
export const DEFAULT_NS_TTL = 12 * 3600;
/** TTL of apex SOA records: 14 days. */
export const DEFAULT_SOA_TTL = 14 * 24 * 3600;
/** TTL of apex A/AAAA records: 1 h. */
export const DEFAULT_A_TTL = 3600;
/** iroh-dns-server's default origins. */
export const DEFAULT_ORIGINS: readonly string[] = ['irohdns.example.', '.'];
/** iroh-dns-server's default SOA, in zone-file form. */
export const DEFAULT_SOA = 'irohdns.example hostmaster.irohdns.example 0 10800 3600 604800 3600';

/** What the DNS server serves besides the pkarr zones. All fields are optional. */
export interface DnsZoneOptions {
  /**
   * Origins under which `<name>.<z32>.<origin>` is answered, tried in order; `.` is the root.
   * @defaultValue `['irohdns.example.', '.']`
   */
  readonly origins?: readonly string[];
  /**
   * SOA data: `mname rname serial refresh retry expire minimum` (names are taken as absolute).
   * @defaultValue `'irohdns.example hostmaster.irohdns.example 0 10800 3600 604800 3600'`
   */
  readonly defaultSoa?: string;
  /** An IPv4 address for an A record at each origin apex. */
  readonly rrA?: string;
  /** An IPv6 address for an AAAA record at each origin apex. */
  readonly rrAaaa?: string;
  /** A name server for an NS record at each origin apex. */
  readonly rrNs?: string;
}

/** Validated zone options. */
export interface ResolvedZoneConfig {
  /** Origins, lowercased, in the configured order. */
  readonly origins: readonly Name[];
  /** The SOA data used at every origin. */
  readonly soa: SoaData;
  /** Apex records by origin (in `origins` order). */
  readonly apex: readonly (readonly ResourceRecord[])[];
}

function parseSoa(text: string): SoaData {
  const parts = text.trim().split(/\s+/);
  const nums = parts.slice(2).map(Number);
  if (parts.length !== 7 || nums.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffffffff)) {
    throw new ServerConfigError(
      'InvalidSoa',
      `SOA must be "mname rname serial refresh retry expire minimum"`,
    );
  }
  try {
    return {
      kind: 'SOA',
      mname: parseName(parts[0]!),
      rname: parseName(parts[1]!),
      serial: nums[0]!,
      refresh: nums[1]!,
      retry: nums[2]!,
      expire: nums[3]!,
      minimum: nums[4]!,
    };
  } catch (cause) {
    throw new ServerConfigError('InvalidSoa', `invalid SOA names in ${JSON.stringify(text)}`, { cause });
  }
}

/** Validates zone options. @throws {@link ServerConfigError} */
export function resolveZoneConfig(options: DnsZoneOptions = {}): ResolvedZoneConfig {
  const originTexts = options.origins ?? DEFAULT_ORIGINS;
  if (originTexts.length === 0)
    throw new ServerConfigError('InvalidOrigin', 'at least one origin is required');
  const origins = originTexts.map((o) => {
    try {
      return lowerName(parseName(o));
    } catch (cause) {
      throw new ServerConfigError('InvalidOrigin', `invalid origin ${JSON.stringify(o)}`, { cause });
    }
  });
  const soa = parseSoa(options.defaultSoa ?? DEFAULT_SOA);
  const a = options.rrA === undefined ? undefined : parseIp(options.rrA);
  if (options.rrA !== undefined && a?.length !== 4) {
    throw new ServerConfigError('InvalidAddress', `rrA must be an IPv4 address, got ${options.rrA}`);
  }
  const aaaa = options.rrAaaa === undefined ? undefined : parseIp(options.rrAaaa);
  if (options.rrAaaa !== undefined && aaaa?.length !== 16) {
    throw new ServerConfigError('InvalidAddress', `rrAaaa must be an IPv6 address, got ${options.rrAaaa}`);
  }
  let ns: Name | undefined;
  if (options.rrNs !== undefined) {
    try {
      ns = parseName(options.rrNs);
    } catch (cause) {
      throw new ServerConfigError('InvalidName', `invalid rrNs ${JSON.stringify(options.rrNs)}`, { cause });
    }
  }
  const IN = RecordClass.IN;
  const apex = origins.map((name) => {
    const records: ResourceRecord[] = [
      { name, type: RecordType.SOA, class: IN, ttl: DEFAULT_SOA_TTL, data: soa },
    ];
    if (ns)
      records.push({
        name,
        type: RecordType.NS,
        class: IN,
        ttl: DEFAULT_NS_TTL,
        data: { kind: 'NS', target: ns },
      });
    if (a)
      records.push({
        name,
        type: RecordType.A,
        class: IN,
        ttl: DEFAULT_A_TTL,
        data: { kind: 'A', address: a },
      });
    if (aaaa) {
      records.push({
        name,
        type: RecordType.AAAA,
        class: IN,
        ttl: DEFAULT_A_TTL,
        data: { kind: 'AAAA', address: aaaa },
      });
    }
    return records;
  });
  return { origins, soa, apex };
}

/** The origins as text, for logs. */
export function describeOrigins(config: ResolvedZoneConfig): string[] {
  return config.origins.map(nameToString);
}

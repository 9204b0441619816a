/**
 * The DNS query logic, free of sockets: bytes in, bytes (or nothing) out. Mirrors iroh-dns-server's
 * `NodeZoneHandler`:
 *
 * - `<sub>.<z32>.<origin>` for a configured origin (first matching origin wins) is looked up in the pkarr
 *   zone of `<z32>`: records of that name and type answer it (owner = the question name), otherwise
 *   NXDOMAIN with the origin's SOA as authority (iroh also answers NXDOMAIN for a name that exists with
 *   other types).
 * - The apex of an origin answers its SOA, NS, A and AAAA records; SOA and NS are never taken from
 *   packets.
 * - Names under no origin are REFUSED; zone transfers are REFUSED.
 * - Malformed queries get FORMERR, opcodes other than QUERY get NOTIMP, and responses or messages too short
 *   for a header are dropped (no reply), so the server can never be used to bounce packets in a loop.
 */
import { opcodeOf, Rcode, RecordClass, RecordType } from '../../dns/constants.js';
import { DnsError } from '../../dns/errors.js';
import { HEADER_LENGTH, parseMessage, type Question, type ResourceRecord } from '../../dns/message.js';
import { asciiLower, isSubdomainOf, nameEquals } from '../../dns/name.js';
import type { DnsServerMetrics } from '../metrics.js';
import { encodeRecordSet, type RecordSet, relativeKey } from '../zone/cached-zone.js';
import type { ZoneStore } from '../zone/zone-store.js';
import { type DnsZoneOptions, type ResolvedZoneConfig, resolveZoneConfig } from './config.js';
import { encodeResponse, headerOnlyResponse } from './response.js';

/** How a query arrived. */
export type DnsTransport = 'udp' | 'tcp' | 'https';

/** Classic UDP limit without EDNS (RFC 1035). */
const UDP_DEFAULT_LIMIT = 512;
/** Upper bound we honour for an EDNS UDP payload size. */
const UDP_MAX_LIMIT = 4096;

interface Answer {
  rcode: number;
  authoritative: boolean;
  answers: Uint8Array | undefined;
  answerCount: number;
  authorities: readonly ResourceRecord[];
}

const NONE = { answers: undefined, answerCount: 0, authorities: [] } as const;

/** Answers DNS queries from a {@link ZoneStore} and static apex records. */
export class DnsHandler {
  readonly #zones: ZoneStore;
  readonly #config: ResolvedZoneConfig;
  readonly #metrics: DnsServerMetrics | undefined;
  readonly #apexSets: readonly Map<number, RecordSet>[];

  /** @throws {@link ServerConfigError} for invalid zone options. */
  constructor(zones: ZoneStore, options: DnsZoneOptions = {}, metrics?: DnsServerMetrics) {
    this.#zones = zones;
    this.#config = resolveZoneConfig(options);
    this.#metrics = metrics;
    this.#apexSets = this.#config.apex.map((records) => {
      const byType = new Map<number, RecordSet>();
      for (const type of new Set(records.map((r) => r.type))) {
        byType.set(
          type,
          encodeRecordSet(
            '',
            type,
            records.filter((r) => r.type === type),
          ),
        );
      }
      return byType;
    });
  }

  /** The validated zone configuration. */
  get config(): ResolvedZoneConfig {
    return this.#config;
  }

  /**
   * Answers one DNS message. Resolves to the response bytes, or `undefined` when no response must be sent
   * (the input is a response itself, or too short to carry an ID). Never rejects.
   */
  async handle(query: Uint8Array, transport: DnsTransport): Promise<Uint8Array | undefined> {
    const m = this.#metrics;
    m?.dnsRequests.inc();
    if (transport === 'udp') m?.dnsRequestsUdp.inc();
    else if (transport === 'tcp') m?.dnsRequestsTcp.inc();
    else m?.dnsRequestsHttps.inc();
    if (query.length < HEADER_LENGTH || (query[2]! & 0x80) !== 0) {
      m?.dnsMalformed.inc();
      return undefined;
    }
    const id = (query[0]! << 8) | query[1]!;
    const flags = (query[2]! << 8) | query[3]!;
    if (opcodeOf(flags) !== 0) {
      m?.dnsLookupError.inc();
      return headerOnlyResponse(id, flags, Rcode.NotImp);
    }
    let parsed: ReturnType<typeof parseMessage>;
    try {
      parsed = parseMessage(query, { allowTrailing: true });
    } catch (e) {
      if (!(e instanceof DnsError)) throw e;
      m?.dnsMalformed.inc();
      return headerOnlyResponse(id, flags, Rcode.FormErr);
    }
    const opts = parsed.additionals.filter((rr) => rr.type === RecordType.OPT);
    const question = parsed.questions[0];
    if (parsed.questions.length !== 1 || !question || opts.length > 1 || question.type === RecordType.OPT) {
      m?.dnsMalformed.inc();
      return headerOnlyResponse(id, flags, Rcode.FormErr);
    }
    const opt = opts[0];
    const maxSize =
      transport === 'udp'
        ? Math.min(UDP_MAX_LIMIT, Math.max(UDP_DEFAULT_LIMIT, opt ? opt.class : UDP_DEFAULT_LIMIT))
        : 0xffff;
    const ednsVersion = opt ? (opt.ttl >>> 16) & 0xff : 0;
    this.#countType(question.type);
    let answer: Answer;
    if (ednsVersion !== 0) {
      answer = { rcode: 0, authoritative: false, ...NONE };
    } else {
      try {
        answer = await this.#resolve(question);
      } catch {
        answer = { rcode: Rcode.ServFail, authoritative: false, ...NONE };
      }
    }
    if (answer.rcode === Rcode.NoError && answer.answerCount > 0) m?.dnsLookupSuccess.inc();
    else if (answer.rcode === Rcode.NoError || answer.rcode === Rcode.NXDomain) m?.dnsLookupNotfound.inc();
    else m?.dnsLookupError.inc();
    return encodeResponse({
      id,
      queryFlags: flags,
      question,
      edns: opt !== undefined,
      extendedRcode: ednsVersion !== 0 ? 1 : 0,
      maxSize,
      ...answer,
    });
  }

  #countType(type: number): void {
    const m = this.#metrics;
    if (!m) return;
    if (type === RecordType.TXT) m.dnsQueriesTxt.inc();
    else if (type === RecordType.A) m.dnsQueriesA.inc();
    else if (type === RecordType.AAAA) m.dnsQueriesAaaa.inc();
    else m.dnsQueriesOther.inc();
  }

  async #resolve(q: Question): Promise<Answer> {
    const refused: Answer = { rcode: Rcode.Refused, authoritative: false, ...NONE };
    if (q.class !== RecordClass.IN && q.class !== RecordClass.ANY) return refused;
    if (q.type === RecordType.AXFR || q.type === RecordType.IXFR) return refused;
    const origins = this.#config.origins;
    for (let i = 0; i < origins.length; i++) {
      const origin = origins[i]!;
      if (!isSubdomainOf(q.name, origin)) continue;
      const soa = this.#config.apex[i]![0]!;
      if (q.type === RecordType.SOA || q.type === RecordType.NS || q.name.length === origin.length) {
        return this.#staticAnswer(q, i);
      }
      const keyLabel = q.name[q.name.length - origin.length - 1]!;
      const zone = await this.#zones.zone(asciiLower(keyLabel));
      const set = zone?.lookup(relativeKey(q.name.slice(0, q.name.length - origin.length - 1)), q.type);
      if (set)
        return {
          rcode: Rcode.NoError,
          authoritative: true,
          ...NONE,
          answers: set.answers,
          answerCount: set.count,
        };
      return { rcode: Rcode.NXDomain, authoritative: true, ...NONE, authorities: [soa] };
    }
    return refused;
  }

  /** Answers from the apex records: data at an apex, NODATA for another type there, else NXDOMAIN. */
  #staticAnswer(q: Question, originIndex: number): Answer {
    const origins = this.#config.origins;
    const soa = this.#config.apex[originIndex]![0]!;
    for (let i = 0; i < origins.length; i++) {
      if (!nameEquals(q.name, origins[i]!)) continue;
      const set = this.#apexSets[i]!.get(q.type);
      if (set)
        return {
          rcode: Rcode.NoError,
          authoritative: true,
          ...NONE,
          answers: set.answers,
          answerCount: set.count,
        };
      return { rcode: Rcode.NoError, authoritative: true, ...NONE, authorities: [soa] };
    }
    return { rcode: Rcode.NXDomain, authoritative: true, ...NONE, authorities: [soa] };
  }
}

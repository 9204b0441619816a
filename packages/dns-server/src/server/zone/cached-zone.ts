/**
 * A signed packet prepared for answering DNS queries (iroh `CachedZone`): its answers grouped by
 * (name relative to the key, type), SOA and NS records dropped, records owned by other names ignored.
 * Each group is kept as one pre-encoded answer section whose owner names are `0xC00C` pointers to the
 * question, so a response is a header, the question and one copy; a zone costs a few hundred bytes.
 */
import { RecordType } from '../../dns/constants.js';
import { HEADER_LENGTH, type ResourceRecord } from '../../dns/message.js';
import { asciiLower, type Name, nameToRelativeString } from '../../dns/name.js';
import { writeRData } from '../../dns/rdata.js';
import { DnsWriter } from '../../dns/writer.js';
import type { SignedPacket } from '../../pkarr/signed-packet.js';

/** The records of one name and type in a zone, ready to copy into a response. */
export interface RecordSet {
  /** Lookup key of the relative name (see {@link relativeKey}). */
  readonly key: string;
  /** Record type. */
  readonly type: number;
  /** Number of records. */
  readonly count: number;
  /**
   * The records in wire form, each owned by a `0xC00C` pointer (the question name at offset 12) followed by
   * TYPE, CLASS, TTL, RDLENGTH and uncompressed RDATA.
   */
  readonly answers: Uint8Array;
  /** Smallest TTL in the set. */
  readonly minTtl: number;
}

/** The lookup key of a relative name (lowercase, escaped presentation form; `''` for the apex). */
export function relativeKey(labels: Name): string {
  return nameToRelativeString(labels.map(asciiLower));
}

/** Writes a record owned by a pointer to the question name: everything but the name is `rr`'s. */
export function writePointedRecord(w: DnsWriter, rr: ResourceRecord): void {
  w.u16(0xc000 | HEADER_LENGTH);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.length;
  w.u16(0);
  writeRData(w, rr.data);
  w.patchU16(lenAt, w.length - lenAt - 2);
}

/** Encodes `records` as a {@link RecordSet}. */
export function encodeRecordSet(key: string, type: number, records: readonly ResourceRecord[]): RecordSet {
  const w = new DnsWriter(false, 128);
  let minTtl = Number.POSITIVE_INFINITY;
  for (const rr of records) {
    writePointedRecord(w, rr);
    if (rr.ttl < minTtl) minTtl = rr.ttl;
  }
  return { key, type, count: records.length, answers: w.finish(), minTtl: records.length > 0 ? minTtl : 0 };
}

/** A parsed, query-ready zone. */
export class CachedZone {
  /** Timestamp (µs) of the packet it came from. */
  readonly timestamp: bigint;
  /** Few sets per zone, so a list beats a map in size and speed. */
  readonly #sets: readonly RecordSet[];

  private constructor(timestamp: bigint, sets: readonly RecordSet[]) {
    this.timestamp = timestamp;
    this.#sets = sets;
  }

  /** Builds a zone from a verified packet. */
  static fromSignedPacket(packet: SignedPacket): CachedZone {
    const zone = packet.z32;
    const grouped = new Map<string, ResourceRecord[]>();
    for (const rr of packet.records) {
      if (rr.type === RecordType.SOA || rr.type === RecordType.NS) continue;
      const last = rr.name[rr.name.length - 1];
      if (last === undefined || asciiLower(last) !== zone) continue;
      const id = `${rr.type}/${relativeKey(rr.name.slice(0, -1))}`;
      const list = grouped.get(id);
      if (list) list.push(rr);
      else grouped.set(id, [rr]);
    }
    const sets: RecordSet[] = [];
    for (const [id, records] of grouped) {
      const slash = id.indexOf('/');
      sets.push(encodeRecordSet(id.slice(slash + 1), Number(id.slice(0, slash)), records));
    }
    return new CachedZone(packet.timestamp, sets);
  }

  /** The records for a relative name key (see {@link relativeKey}) and type, if any. */
  lookup(key: string, type: number): RecordSet | undefined {
    for (const s of this.#sets) if (s.type === type && s.key === key) return s;
    return undefined;
  }
}

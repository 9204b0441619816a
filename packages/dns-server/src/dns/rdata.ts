/**
 * Record data (RDATA) for the types iroh-ts reads or writes. Anything else is kept as raw bytes, which is
 * safe because RFC 3597 forbids compression pointers inside unknown types.
 */
import { RecordType } from './constants.js';
import { DnsError } from './errors.js';
import type { Name } from './name.js';
import type { DnsReader } from './reader.js';
import type { DnsWriter } from './writer.js';

/** Start of Authority data (RFC 1035 §3.3.13). */
export interface SoaData {
  readonly kind: 'SOA';
  /** Primary name server. */
  readonly mname: Name;
  /** Mailbox of the responsible person. */
  readonly rname: Name;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

/** Decoded record data. `kind` names the layout; `raw` is any type we do not decode. */
export type RData =
  | { readonly kind: 'A'; readonly address: Uint8Array }
  | { readonly kind: 'AAAA'; readonly address: Uint8Array }
  | { readonly kind: 'TXT'; readonly strings: readonly Uint8Array[] }
  | { readonly kind: 'NS' | 'CNAME' | 'PTR'; readonly target: Name }
  | { readonly kind: 'MX'; readonly preference: number; readonly exchange: Name }
  | {
      readonly kind: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: Name;
    }
  | SoaData
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/** Reads `length` bytes of RDATA for `type`, which must be consumed exactly. @throws {@link DnsError} */
export function readRData(r: DnsReader, type: number, length: number): RData {
  const start = r.pos;
  const end = start + length;
  r.need(length, 'record data');
  let data: RData;
  switch (type) {
    case RecordType.A:
    case RecordType.AAAA: {
      const want = type === RecordType.A ? 4 : 16;
      if (length !== want) throw new DnsError('InvalidRdata', `address record of ${length} bytes`, start);
      data = { kind: type === RecordType.A ? 'A' : 'AAAA', address: r.view(length, 'an address').slice() };
      break;
    }
    case RecordType.TXT: {
      const strings: Uint8Array[] = [];
      while (r.pos < end) {
        const n = r.u8('a character string');
        if (r.pos + n > end) throw new DnsError('InvalidRdata', 'character string overruns TXT data', r.pos);
        strings.push(r.view(n, 'a character string').slice());
      }
      data = { kind: 'TXT', strings };
      break;
    }
    case RecordType.NS:
    case RecordType.CNAME:
    case RecordType.PTR:
      data = {
        kind: type === RecordType.NS ? 'NS' : type === RecordType.CNAME ? 'CNAME' : 'PTR',
        target: r.name(),
      };
      break;
    case RecordType.MX:
      data = { kind: 'MX', preference: r.u16(), exchange: r.name() };
      break;
    case RecordType.SRV:
      data = { kind: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
      break;
    case RecordType.SOA:
      data = {
        kind: 'SOA',
        mname: r.name(),
        rname: r.name(),
        serial: r.u32(),
        refresh: r.u32(),
        retry: r.u32(),
        expire: r.u32(),
        minimum: r.u32(),
      };
      break;
    default:
      data = { kind: 'raw', bytes: r.view(length, 'record data').slice() };
  }
  if (r.pos !== end) {
    throw new DnsError(
      'InvalidRdata',
      `record data of type ${type} does not fill its ${length} bytes`,
      start,
    );
  }
  return data;
}

/**
 * Writes RDATA (without the length prefix). Names in NS/CNAME/PTR/MX/SOA may be compressed (RFC 1035); SRV
 * targets are not (RFC 2782).
 *
 * @throws {@link DnsError} `InvalidRdata` for a malformed value.
 */
export function writeRData(w: DnsWriter, data: RData): void {
  switch (data.kind) {
    case 'A':
    case 'AAAA': {
      const want = data.kind === 'A' ? 4 : 16;
      if (data.address.length !== want)
        throw new DnsError('InvalidRdata', `${data.kind} needs ${want} bytes`);
      w.bytes(data.address);
      return;
    }
    case 'TXT':
      for (const s of data.strings) {
        if (s.length > 255)
          throw new DnsError('CharacterStringTooLong', `character string of ${s.length} bytes`);
        w.u8(s.length);
        w.bytes(s);
      }
      return;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      w.name(data.target);
      return;
    case 'MX':
      w.u16(data.preference);
      w.name(data.exchange);
      return;
    case 'SRV':
      w.u16(data.priority);
      w.u16(data.weight);
      w.u16(data.port);
      w.name(data.target, false);
      return;
    case 'SOA':
      w.name(data.mname);
      w.name(data.rname);
      w.u32(data.serial);
      w.u32(data.refresh);
      w.u32(data.retry);
      w.u32(data.expire);
      w.u32(data.minimum);
      return;
    case 'raw':
      w.bytes(data.bytes);
      return;
  }
}

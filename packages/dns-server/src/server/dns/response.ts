/**
 * Encoding of server responses: the echoed question, answers that point back at the question name
 * (`0xC00C`), authority records, an OPT record when the query had one, and truncation for UDP.
 */
import { Flags, RecordType } from '../../dns/constants.js';
import { HEADER_LENGTH, type Question, type ResourceRecord, writeRecord } from '../../dns/message.js';
import { DnsWriter } from '../../dns/writer.js';

/** EDNS payload size we advertise (the DNS flag day 2020 value). */
export const EDNS_PAYLOAD_SIZE = 1232;

/** Everything a response carries. */
export interface ResponseParts {
  readonly id: number;
  /** The query's flags word (opcode, RD and CD are copied). */
  readonly queryFlags: number;
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly question: Question | undefined;
  /** Pre-encoded answer section (records owned by `0xC00C` pointers to the question name). */
  readonly answers: Uint8Array | undefined;
  /** Number of records in {@link answers}. */
  readonly answerCount: number;
  readonly authorities: readonly ResourceRecord[];
  /** Include an OPT record (the query had one). */
  readonly edns: boolean;
  /** Extended RCODE bits (upper 8) for the OPT record, e.g. 1 for BADVERS. */
  readonly extendedRcode?: number;
  /** Largest response; beyond it answers and authorities are dropped and TC is set. */
  readonly maxSize: number;
}

function encode(p: ResponseParts, truncated: boolean): Uint8Array {
  const w = new DnsWriter(true, 512);
  let flags = Flags.QR | (p.queryFlags & (0x7800 | Flags.RD | Flags.CD)) | (p.rcode & 0xf);
  if (p.authoritative) flags |= Flags.AA;
  if (truncated) flags |= Flags.TC;
  const answerCount = truncated ? 0 : p.answerCount;
  const authorities = truncated ? [] : p.authorities;
  w.u16(p.id);
  w.u16(flags);
  w.u16(p.question ? 1 : 0);
  w.u16(answerCount);
  w.u16(authorities.length);
  w.u16(p.edns ? 1 : 0);
  if (p.question) {
    w.name(p.question.name);
    w.u16(p.question.type);
    w.u16(p.question.class);
  }
  if (answerCount > 0 && p.answers) w.bytes(p.answers);
  for (const rr of authorities) writeRecord(w, rr);
  if (p.edns) {
    w.u8(0); // root
    w.u16(RecordType.OPT);
    w.u16(EDNS_PAYLOAD_SIZE);
    w.u32(((p.extendedRcode ?? 0) & 0xff) << 24);
    w.u16(0);
  }
  return w.finish();
}

/** Encodes a response, truncating it (TC, no records) when it exceeds `maxSize`. */
export function encodeResponse(parts: ResponseParts): Uint8Array {
  const full = encode(parts, false);
  if (full.length <= parts.maxSize) return full;
  return encode(parts, true);
}

/** A header-only error response (for queries whose question could not be read). */
export function headerOnlyResponse(id: number, queryFlags: number, rcode: number): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH);
  const flags = Flags.QR | (queryFlags & (0x7800 | Flags.RD)) | (rcode & 0xf);
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  return out;
}

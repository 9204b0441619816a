/**
 * DNS messages (RFC 1035 §4): a bounded, strict decoder and an encoder with name compression.
 *
 * The decoder never reads past the input, never loops on compression pointers, rejects counts that the
 * remaining bytes cannot hold before allocating anything, and throws only {@link DnsError}.
 */
import { Flags } from './constants.js';
import { DnsError } from './errors.js';
import type { Name } from './name.js';
import { type RData, readRData, writeRData } from './rdata.js';
import { DnsReader } from './reader.js';
import { DnsWriter } from './writer.js';

/** A question: the name, type and class asked about. */
export interface Question {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
}

/** A resource record. For OPT (EDNS) records, `class` is the UDP payload size and `ttl` the extended flags. */
export interface ResourceRecord {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
  /** Time to live in seconds (an unsigned 32-bit value). */
  readonly ttl: number;
  readonly data: RData;
}

/** A DNS message. `flags` is the 16-bit word after the ID (QR, opcode, AA, TC, RD, RA, Z, rcode). */
export interface DnsMessage {
  readonly id: number;
  readonly flags: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}

/** Options of {@link parseMessage}. */
export interface ParseOptions {
  /**
   * Accept bytes after the last record, as simple_dns (and so iroh) does. Default `false`.
   * @defaultValue false
   */
  readonly allowTrailing?: boolean;
}

/** Length of the fixed header. */
export const HEADER_LENGTH = 12;
/** Smallest question: a root name, type and class. */
const MIN_QUESTION = 5;
/** Smallest record: a root name, type, class, TTL and RDLENGTH. */
const MIN_RECORD = 11;

/** Reads one question at the reader's position. @throws {@link DnsError} */
export function readQuestion(r: DnsReader): Question {
  const name = r.name();
  const type = r.u16('a question type');
  const klass = r.u16('a question class');
  return { name, type, class: klass };
}

/** Reads one resource record at the reader's position. @throws {@link DnsError} */
export function readRecord(r: DnsReader): ResourceRecord {
  const name = r.name();
  const type = r.u16('a record type');
  const klass = r.u16('a record class');
  const ttl = r.u32('a TTL');
  const length = r.u16('RDLENGTH');
  const data = readRData(r, type, length);
  return { name, type, class: klass, ttl, data };
}

function readSection<T>(r: DnsReader, count: number, min: number, read: (r: DnsReader) => T): T[] {
  if (count * min > r.remaining) {
    throw new DnsError('TooManyRecords', `${count} entries cannot fit in ${r.remaining} bytes`, r.pos);
  }
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(read(r));
  return out;
}

/**
 * Decodes a whole message.
 *
 * @throws {@link DnsError} on any malformation (short input, bad pointers, bad lengths, excess counts,
 *   RDATA not matching its type, trailing bytes unless allowed).
 */
export function parseMessage(bytes: Uint8Array, options: ParseOptions = {}): DnsMessage {
  const r = new DnsReader(bytes);
  r.need(HEADER_LENGTH, 'the header');
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16();
  const an = r.u16();
  const ns = r.u16();
  const ar = r.u16();
  const questions = readSection(r, qd, MIN_QUESTION, readQuestion);
  const answers = readSection(r, an, MIN_RECORD, readRecord);
  const authorities = readSection(r, ns, MIN_RECORD, readRecord);
  const additionals = readSection(r, ar, MIN_RECORD, readRecord);
  if (r.remaining > 0 && !options.allowTrailing) {
    throw new DnsError('TrailingBytes', `${r.remaining} bytes after the last record`, r.pos);
  }
  return { id, flags, questions, answers, authorities, additionals };
}

/** Options of {@link buildMessage}. */
export interface BuildOptions {
  /** Compress names (default true). */
  readonly compress?: boolean;
}

/** Writes one record (owner name, fixed fields, RDLENGTH and RDATA). @throws {@link DnsError} */
export function writeRecord(w: DnsWriter, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.length;
  w.u16(0);
  writeRData(w, rr.data);
  const len = w.length - lenAt - 2;
  if (len > 0xffff) throw new DnsError('InvalidRdata', 'record data exceeds 65535 bytes');
  w.patchU16(lenAt, len);
}

/**
 * Encodes a message, compressing names by default (the layout simple_dns's `build_bytes_vec_compressed`
 * produces for iroh's packets).
 *
 * @throws {@link DnsError} for invalid names, record data or section sizes.
 */
export function buildMessage(message: DnsMessage, options: BuildOptions = {}): Uint8Array {
  const w = new DnsWriter(options.compress ?? true);
  const sections = [message.questions, message.answers, message.authorities, message.additionals];
  w.u16(message.id);
  w.u16(message.flags);
  for (const s of sections) {
    if (s.length > 0xffff) throw new DnsError('TooManyRecords', 'section has more than 65535 entries');
    w.u16(s.length);
  }
  for (const q of message.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of message.answers) writeRecord(w, rr);
  for (const rr of message.authorities) writeRecord(w, rr);
  for (const rr of message.additionals) writeRecord(w, rr);
  return w.finish();
}

/** A reply header's flags: QR set, opcode QUERY, everything else clear (simple_dns `new_reply`). */
export const REPLY_FLAGS = Flags.QR;

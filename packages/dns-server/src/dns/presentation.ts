/** Text forms of record data, as the DoH JSON API shows them. */
import { formatIp } from './ip-text.js';
import { nameToString } from './name.js';
import type { RData } from './rdata.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The character strings of a TXT record joined without a separator, each decoded as UTF-8 with
 * replacement characters, as iroh's `TxtRecordData` `Display` does.
 */
export function txtToString(strings: readonly Uint8Array[]): string {
  let out = '';
  for (const s of strings) out += decoder.decode(s);
  return out;
}

/** The presentation form of record data (`1.2.3.4`, `ns1.example.`, TXT text unquoted, `\# n hex` for raw). */
export function rdataToString(data: RData): string {
  switch (data.kind) {
    case 'A':
    case 'AAAA':
      return formatIp(data.address);
    case 'TXT':
      return txtToString(data.strings);
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return nameToString(data.target);
    case 'MX':
      return `${data.preference} ${nameToString(data.exchange)}`;
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${nameToString(data.target)}`;
    case 'SOA':
      return `${nameToString(data.mname)} ${nameToString(data.rname)} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
    case 'raw': {
      let hex = '';
      for (const b of data.bytes) hex += b.toString(16).padStart(2, '0');
      return `\\# ${data.bytes.length}${hex ? ` ${hex}` : ''}`;
    }
  }
}

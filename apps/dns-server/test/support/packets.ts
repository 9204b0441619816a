/** Signed test packets and DNS queries, built with the library (the side a publisher would use). */
import { SecretKey, TransportAddr } from '@iroh-ts/base';
import {
  buildMessage,
  EndpointInfo,
  Flags,
  parseMessage,
  parseName,
  RecordClass,
  RecordType,
  type SignedPacket,
  txtToString,
} from '@iroh-ts/dns-server';

/** A deterministic key from a byte. */
export function keyFrom(byte: number): SecretKey {
  return SecretKey.fromBytes(new Uint8Array(32).fill(byte));
}

/** A packet publishing `relay` (and `addr`, if given) for `key`, iroh's default TTL of 30 s. */
export function endpointPacket(key: SecretKey, relay: string, addr?: string): SignedPacket {
  const addrs = [TransportAddr.relay(relay), ...(addr ? [TransportAddr.ip(addr)] : [])];
  return new EndpointInfo(key.public(), addrs).toSignedPacket(key);
}

/** A TXT query for `name` (recursion desired, as stub resolvers send it). */
export function txtQuery(name: string, id = 0x4242): Uint8Array {
  return buildMessage({
    id,
    flags: Flags.RD,
    questions: [{ name: parseName(name), type: RecordType.TXT, class: RecordClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
  });
}

/** The TXT strings of every answer in a DNS response, one string per record. */
export function txtAnswers(response: Uint8Array): string[] {
  const msg = parseMessage(response);
  return msg.answers.flatMap((rr) => (rr.data.kind === 'TXT' ? [txtToString(rr.data.strings)] : []));
}

/** PUTs `packet` to the pkarr relay at `base` (`http://host:port`); resolves with the status. */
export async function putPacket(base: string, packet: SignedPacket): Promise<number> {
  const res = await fetch(`${base}/pkarr/${packet.z32}`, { method: 'PUT', body: packet.toRelayPayload() });
  await res.arrayBuffer();
  return res.status;
}

import {
  CustomAddr,
  EndpointAddr,
  PostcardReader,
  PostcardWriter,
  PublicKey,
  RelayUrl,
  SocketAddr,
  TransportAddr,
} from '@iroh-ts/base';
import { TicketParseError } from './errors.js';
import { decodeTicketBytes, decodeTicketString, encodeTicket, type Ticket } from './ticket.js';

/** Largest inline custom-address payload in iroh 1.0.x's encoding. */
const CUSTOM_INLINE_MAX = 30;

function writeTransportAddr(w: PostcardWriter, a: TransportAddr): void {
  switch (a.type) {
    case 'relay':
      w.tag(0).str(a.url.toString());
      return;
    case 'ip':
      w.tag(1)
        .tag(a.addr.family === 4 ? 0 : 1)
        .raw(a.addr.ipView)
        .varint(a.addr.port);
      return;
    case 'custom': {
      // iroh 1.0.x: id, then an enum: Inline { size: u8, data: [u8; 30] } or Heap(bytes).
      const data = a.addr.dataView;
      w.tag(2).varintBig(a.addr.id);
      if (data.length <= CUSTOM_INLINE_MAX) {
        const padded = new Uint8Array(CUSTOM_INLINE_MAX);
        padded.set(data);
        w.tag(0).u8(data.length).raw(padded);
      } else {
        w.tag(1).bytes(data);
      }
      return;
    }
  }
}

function readTransportAddr(r: PostcardReader): TransportAddr {
  switch (r.tag(3, 'TransportAddr')) {
    case 0:
      return TransportAddr.relay(RelayUrl.parse(r.str()));
    case 1: {
      const v6 = r.tag(2, 'SocketAddr') === 1;
      const ip = r.raw(v6 ? 16 : 4);
      return TransportAddr.ip(SocketAddr.fromParts(ip, r.u16()));
    }
    default: {
      const id = r.varintBig();
      if (r.tag(2, 'CustomAddrBytes') === 0) {
        const size = r.u8();
        const data = r.raw(CUSTOM_INLINE_MAX);
        if (size > CUSTOM_INLINE_MAX) {
          throw new TicketParseError('InvalidData', `inline custom address size ${size} exceeds 30`);
        }
        return TransportAddr.custom(CustomAddr.fromParts(id, data.subarray(0, size)));
      }
      return TransportAddr.custom(CustomAddr.fromParts(id, r.bytes()));
    }
  }
}

/**
 * A ticket holding an {@link EndpointAddr}: everything needed to dial an endpoint. Byte-compatible with
 * iroh-tickets 1.x (`endpoint` + base32 of the postcard `TicketWireFormat::Variant1`).
 */
export class EndpointTicket implements Ticket {
  /** The ticket kind prefix. */
  static readonly KIND = 'endpoint';
  readonly kind = EndpointTicket.KIND;
  readonly #addr: EndpointAddr;

  private constructor(addr: EndpointAddr) {
    this.#addr = addr;
  }

  /** Wraps an endpoint address. */
  static fromAddr(addr: EndpointAddr): EndpointTicket {
    return new EndpointTicket(addr);
  }

  /**
   * Parses a ticket string.
   *
   * @throws {@link TicketParseError}
   */
  static fromString(text: string): EndpointTicket {
    return EndpointTicket.fromBytes(decodeTicketString(EndpointTicket.KIND, text));
  }

  /**
   * Parses the ticket's postcard bytes.
   *
   * @throws {@link TicketParseError}
   */
  static fromBytes(bytes: Uint8Array): EndpointTicket {
    return decodeTicketBytes(EndpointTicket.KIND, () => {
      const r = new PostcardReader(bytes);
      r.tag(1, 'TicketWireFormat');
      const id = PublicKey.fromBytes(r.raw(32));
      const addrs = r.seq(readTransportAddr);
      r.finish();
      return new EndpointTicket(EndpointAddr.fromParts(id, addrs));
    });
  }

  /** The endpoint address in this ticket. */
  endpointAddr(): EndpointAddr {
    return this.#addr;
  }

  /** The postcard bytes. */
  toBytes(): Uint8Array {
    const w = new PostcardWriter(64);
    w.tag(0).raw(this.#addr.id().bytesView);
    w.seq(this.#addr.addrs, writeTransportAddr);
    return w.finish();
  }

  /** `endpoint` + lowercase base32 of the bytes. */
  toString(): string {
    return encodeTicket(EndpointTicket.KIND, this.toBytes());
  }

  /** True when both tickets hold equal addresses. */
  equals(other: EndpointTicket): boolean {
    return this.#addr.equals(other.#addr);
  }
}

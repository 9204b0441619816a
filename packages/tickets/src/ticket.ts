import { base32Decode, base32Encode, IrohError, PostcardError } from '@iroh-ts/base';
import { TicketParseError } from './errors.js';

/**
 * A ticket: a self-describing, copy-pasteable token with everything needed for an operation.
 *
 * Its string form is the ticket's kind (a lowercase ASCII prefix such as `endpoint`) followed by the
 * ticket's bytes in lowercase RFC 4648 base32 without padding, as in iroh-tickets. Decoding is
 * case-insensitive after the prefix.
 */
export interface Ticket {
  /** The kind prefix, e.g. `endpoint`. */
  readonly kind: string;
  /** The ticket's binary form (postcard for iroh's tickets). */
  toBytes(): Uint8Array;
  /** `kind + base32(bytes)`. */
  toString(): string;
}

/** The static side of a ticket class: its kind and its decoders. */
export interface TicketType<T extends Ticket> {
  readonly KIND: string;
  fromBytes(bytes: Uint8Array): T;
  fromString(text: string): T;
}

/** Formats a ticket string from a kind and the ticket's bytes. */
export function encodeTicket(kind: string, bytes: Uint8Array): string {
  return kind + base32Encode(bytes);
}

/**
 * Strips the kind prefix and base32-decodes the rest.
 *
 * @throws {@link TicketParseError} `WrongKind` or `InvalidBase32`.
 */
export function decodeTicketString(kind: string, text: string): Uint8Array {
  if (typeof text !== 'string' || !text.startsWith(kind)) {
    const seen = typeof text === 'string' ? JSON.stringify(text.slice(0, kind.length + 4)) : typeof text;
    throw new TicketParseError('WrongKind', `wrong ticket prefix, expected "${kind}", got ${seen}`);
  }
  try {
    return base32Decode(text.slice(kind.length));
  } catch (cause) {
    throw new TicketParseError(
      'InvalidBase32',
      `${kind} ticket is not valid base32: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/**
 * Runs a ticket's byte decoder and maps any error it throws to a {@link TicketParseError}, so that
 * callers see one error type: truncated input, trailing bytes, unknown variants, or invalid data (a bad
 * key, URL or string).
 */
export function decodeTicketBytes<T>(kind: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof TicketParseError) throw cause;
    if (cause instanceof PostcardError) {
      const code =
        cause.code === 'UnexpectedEnd'
          ? 'Truncated'
          : cause.code === 'TrailingBytes' || cause.code === 'UnknownVariant'
            ? cause.code
            : 'InvalidData';
      throw new TicketParseError(code, `invalid ${kind} ticket: ${cause.message}`, { cause });
    }
    if (cause instanceof IrohError) {
      throw new TicketParseError('InvalidData', `invalid ${kind} ticket: ${cause.message}`, { cause });
    }
    throw cause;
  }
}

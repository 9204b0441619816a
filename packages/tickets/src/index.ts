/**
 * `@iroh-ts/tickets`: iroh's tickets. The {@link Ticket} interface and helpers let protocol packages
 * define their own tickets (BlobTicket, DocTicket) on the same string format.
 *
 * @packageDocumentation
 */
export { EndpointTicket } from './endpoint-ticket.js';
export { TicketParseError, type TicketParseErrorCode } from './errors.js';
export {
  decodeTicketBytes,
  decodeTicketString,
  encodeTicket,
  type Ticket,
  type TicketType,
} from './ticket.js';

/**
 * DNS over HTTPS (RFC 8484) and the JSON API (Google/Cloudflare `application/dns-json`), as
 * iroh-dns-server serves them at `/dns-query`.
 *
 * GET chooses by `Accept`: `application/dns-json` (or `application/x-javascript`) → JSON from `?name=&type=`;
 * `application/dns-message` → wire format from `?dns=`. Other or missing `Accept` values are served
 * leniently: JSON when only `name` is given, wire format otherwise (iroh answers 406 to other `Accept`
 * values; browsers and curl send `*\/*`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { base64UrlDecode } from '../../dns/base64url.js';
import { Flags, parseRecordType, RecordClass } from '../../dns/constants.js';
import { buildMessage, type DnsMessage, parseMessage } from '../../dns/message.js';
import { type Name, nameToString, parseName } from '../../dns/name.js';
import { rdataToString } from '../../dns/presentation.js';
import type { DnsHandler } from '../dns/handler.js';
import { readBody, send, sendError } from './respond.js';

/** Content type of wire-format DoH. */
export const DNS_MESSAGE_TYPE = 'application/dns-message';
/** Content type of the JSON API. */
export const DNS_JSON_TYPE = 'application/dns-json';

type Format = 'message' | 'json';

function cacheHeaders(response: DnsMessage): Record<string, string> {
  if (response.answers.length === 0) return {};
  const min = Math.min(...response.answers.map((a) => a.ttl));
  return { 'cache-control': `s-maxage=${min}` };
}

/** Validates a DoH request message: it must parse and be a query. */
function decodeQuery(bytes: Uint8Array): string | undefined {
  try {
    const m = parseMessage(bytes, { allowTrailing: true });
    if ((m.flags & Flags.QR) !== 0) return 'Invalid message type: expected query';
    return undefined;
  } catch (e) {
    return `Invalid DNS message: ${(e as Error).message}`;
  }
}

async function answer(
  res: ServerResponse,
  handler: DnsHandler,
  query: Uint8Array,
  format: Format,
): Promise<void> {
  const bytes = await handler.handle(query, 'https');
  if (!bytes) {
    sendError(res, 400, 'no response');
    return;
  }
  const response = parseMessage(bytes);
  if (format === 'message') {
    send(res, 200, bytes, { 'content-type': DNS_MESSAGE_TYPE, ...cacheHeaders(response) });
    return;
  }
  const json = {
    Status: response.flags & 0xf,
    TC: (response.flags & Flags.TC) !== 0,
    RD: (response.flags & Flags.RD) !== 0,
    RA: (response.flags & Flags.RA) !== 0,
    AD: (response.flags & Flags.AD) !== 0,
    CD: (response.flags & Flags.CD) !== 0,
    Question: response.questions.map((q) => ({ name: nameToString(q.name), type: q.type })),
    ...(response.answers.length > 0
      ? {
          Answer: response.answers.map((a) => ({
            name: nameToString(a.name),
            type: a.type,
            TTL: a.ttl,
            data: rdataToString(a.data),
          })),
        }
      : {}),
    Comment: null,
    edns_client_subnet: null,
  };
  send(res, 200, JSON.stringify(json), { 'content-type': DNS_JSON_TYPE, ...cacheHeaders(response) });
}

function jsonQuery(params: URLSearchParams): Uint8Array | string {
  const nameText = params.get('name');
  if (nameText === null) return 'missing name';
  const typeText = params.get('type');
  const type = typeText === null ? 1 : parseRecordType(typeText);
  if (type === undefined) return `invalid type ${JSON.stringify(typeText)}`;
  let name: Name;
  try {
    name = parseName(nameText);
  } catch (e) {
    return `invalid name: ${(e as Error).message}`;
  }
  const rd = params.get('rd') !== 'false' && params.get('rd') !== '0';
  const cd = params.get('cd') === 'true' || params.get('cd') === '1';
  return buildMessage({
    id: 0,
    flags: (rd ? Flags.RD : 0) | (cd ? Flags.CD : 0),
    questions: [{ name, type, class: RecordClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
  });
}

/** `GET /dns-query`. */
export async function dohGet(
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  handler: DnsHandler,
): Promise<void> {
  const accept = (req.headers.accept ?? '').toLowerCase();
  let format: Format;
  if (accept === DNS_JSON_TYPE || accept === 'application/x-javascript') format = 'json';
  else if (accept === DNS_MESSAGE_TYPE) format = 'message';
  else format = params.has('name') && !params.has('dns') ? 'json' : 'message';
  let query: Uint8Array;
  if (format === 'json') {
    const q = jsonQuery(params);
    if (typeof q === 'string') {
      sendError(res, 400, q);
      return;
    }
    query = q;
  } else {
    const dns = params.get('dns');
    const decoded = dns === null ? undefined : base64UrlDecode(dns);
    if (!decoded) {
      sendError(res, 400, dns === null ? 'missing dns parameter' : 'invalid base64url in dns parameter');
      return;
    }
    const problem = decodeQuery(decoded);
    if (problem) {
      sendError(res, 400, problem);
      return;
    }
    query = decoded;
  }
  await answer(res, handler, query, format);
}

/** `POST /dns-query` with an `application/dns-message` body. */
export async function dohPost(req: IncomingMessage, res: ServerResponse, handler: DnsHandler): Promise<void> {
  const body = await readBody(req, 0xffff);
  if (!body.ok) {
    sendError(res, body.tooLarge ? 413 : 500);
    return;
  }
  const problem = decodeQuery(body.body);
  if (problem) {
    sendError(res, 400, problem);
    return;
  }
  await answer(res, handler, body.body, 'message');
}

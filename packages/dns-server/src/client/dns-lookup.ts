/**
 * Looks up endpoint info over DNS (iroh `DnsAddressLookup`): `TXT _iroh.<z32>.<origin>`, staggered at 0,
 * 200, 300, 600, 1000, 2000 and 3000 ms (±20 % jitter), first success wins, each attempt timing out after
 * 3 s. The transport is pluggable: DoH ({@link DohTransport}, browser-safe) here, UDP and TCP in
 * `@iroh-ts/dns-server/node`.
 */
import type { PublicKey } from '@iroh-ts/base';
import { Flags, Rcode, RecordClass, RecordType } from '../dns/constants.js';
import { buildMessage, type DnsMessage, parseMessage } from '../dns/message.js';
import { type Name, nameEquals, nameToString, parseName } from '../dns/name.js';
import { txtToString } from '../dns/presentation.js';
import { EndpointInfo } from '../records/endpoint-info.js';
import { EndpointInfoError } from '../records/errors.js';
import { DnsLookupError } from './errors.js';
import { staggerCall } from './stagger.js';
import { defaultTimers, type Timers } from './timers.js';

/** Delays of the staggered attempts after the first, in ms. */
export const DNS_STAGGERING_MS: readonly number[] = [200, 300, 600, 1000, 2000, 3000];
/** Timeout of one attempt, in ms. */
export const DNS_TIMEOUT_MS = 3000;
/** n0's production origin. */
export const N0_DNS_ENDPOINT_ORIGIN_PROD = 'dns.iroh.link.';
/** n0's staging origin. */
export const N0_DNS_ENDPOINT_ORIGIN_STAGING = 'staging-dns.iroh.link.';

/** Carries one DNS query to a server and returns its response. */
export interface DnsTransport {
  /** Sends `query` and resolves with the response bytes; rejects on failure or when `signal` aborts. */
  query(query: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
}

/** Options of {@link DnsAddressLookup}. */
export interface DnsAddressLookupOptions {
  /** The transport to the DNS server. */
  readonly transport: DnsTransport;
  /** Used instead when a response is truncated (e.g. TCP after UDP). */
  readonly fallback?: DnsTransport;
  /** The origin domain. @defaultValue `'dns.iroh.link.'` */
  readonly origin?: string;
  /** Staggering delays. @defaultValue {@link DNS_STAGGERING_MS} */
  readonly staggeringMs?: readonly number[];
  /** Per-attempt timeout. @defaultValue 3000 ms */
  readonly timeoutMs?: number;
  /** Timers. @defaultValue the global ones */
  readonly timers?: Timers;
  /** Uniform random numbers in [0, 1) for jitter and query IDs. @defaultValue `Math.random` */
  readonly random?: () => number;
}

/** Resolves iroh endpoint info from DNS TXT records. */
export class DnsAddressLookup {
  readonly #o: Required<Omit<DnsAddressLookupOptions, 'fallback'>> &
    Pick<DnsAddressLookupOptions, 'fallback'>;

  constructor(options: DnsAddressLookupOptions) {
    this.#o = {
      origin: N0_DNS_ENDPOINT_ORIGIN_PROD,
      staggeringMs: DNS_STAGGERING_MS,
      timeoutMs: DNS_TIMEOUT_MS,
      timers: defaultTimers,
      random: Math.random,
      ...options,
    };
  }

  /** The name looked up for `endpointId`: `_iroh.<z32>.<origin>`. */
  nameFor(endpointId: PublicKey): string {
    const origin = this.#o.origin.endsWith('.') ? this.#o.origin : `${this.#o.origin}.`;
    return origin === '.' ? `_iroh.${endpointId.toZ32()}.` : `_iroh.${endpointId.toZ32()}.${origin}`;
  }

  /**
   * Resolves `endpointId` with staggered attempts.
   *
   * @throws {@link DnsLookupError} `AllAttemptsFailed` (each attempt's error in `errors`).
   */
  resolve(endpointId: PublicKey, signal?: AbortSignal): Promise<EndpointInfo> {
    const name = this.nameFor(endpointId);
    return staggerCall(
      async (s) => {
        const strings = await this.lookupTxt(name, s);
        try {
          return EndpointInfo.fromTxtLookup(name, strings);
        } catch (cause) {
          if (!(cause instanceof EndpointInfoError)) throw cause;
          throw new DnsLookupError('InvalidRecords', cause.message, { cause });
        }
      },
      this.#o.staggeringMs,
      { timers: this.#o.timers, random: this.#o.random, signal },
    );
  }

  /**
   * One TXT lookup of `name` with the per-attempt timeout: the TXT records owned by `name`, each record's
   * character strings joined.
   *
   * @throws {@link DnsLookupError} `Timeout`, `NotFound`, `ServerError`, `InvalidResponse`, `Truncated` or
   *   `Transport`.
   */
  async lookupTxt(nameText: string, signal?: AbortSignal): Promise<string[]> {
    const name = parseName(nameText);
    const id = Math.floor(this.#o.random() * 0x10000) & 0xffff;
    const query = buildMessage({
      id,
      flags: Flags.RD,
      questions: [{ name, type: RecordType.TXT, class: RecordClass.IN }],
      answers: [],
      authorities: [],
      additionals: [],
    });
    let response = await this.#exchange(this.#o.transport, query, signal);
    let message = checkResponse(response, id, name);
    if ((message.flags & Flags.TC) !== 0) {
      if (!this.#o.fallback) throw new DnsLookupError('Truncated', 'response truncated');
      response = await this.#exchange(this.#o.fallback, query, signal);
      message = checkResponse(response, id, name);
    }
    const rcode = message.flags & 0xf;
    if (rcode === Rcode.NXDomain)
      throw new DnsLookupError('NotFound', `${nameToString(name)} does not exist`);
    if (rcode !== Rcode.NoError) {
      throw new DnsLookupError('ServerError', `DNS server answered rcode ${rcode}`, { rcode });
    }
    const out: string[] = [];
    for (const rr of message.answers) {
      if (rr.data.kind === 'TXT' && nameEquals(rr.name, name)) out.push(txtToString(rr.data.strings));
    }
    if (out.length === 0) throw new DnsLookupError('NotFound', `no TXT records for ${nameToString(name)}`);
    return out;
  }

  async #exchange(transport: DnsTransport, query: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = this.#o.timers.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#o.timeoutMs);
    try {
      return await transport.query(query, controller.signal);
    } catch (cause) {
      if (timedOut) throw new DnsLookupError('Timeout', `no DNS response within ${this.#o.timeoutMs} ms`);
      throw new DnsLookupError('Transport', `DNS transport failed: ${(cause as Error)?.message ?? cause}`, {
        cause,
      });
    } finally {
      this.#o.timers.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

function checkResponse(bytes: Uint8Array, id: number, name: Name): DnsMessage {
  let message: DnsMessage;
  try {
    message = parseMessage(bytes, { allowTrailing: true });
  } catch (cause) {
    throw new DnsLookupError('InvalidResponse', 'DNS response does not parse', { cause });
  }
  const q = message.questions[0];
  if (
    message.id !== id ||
    (message.flags & Flags.QR) === 0 ||
    (q !== undefined && !nameEquals(q.name, name))
  ) {
    throw new DnsLookupError('InvalidResponse', 'DNS response does not match the query');
  }
  return message;
}

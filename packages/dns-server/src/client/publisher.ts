/**
 * Publishes an endpoint's info to a pkarr relay (iroh `PkarrPublisher`):
 *
 * - on every change of the (filtered) info, at once;
 * - again every {@link DEFAULT_REPUBLISH_INTERVAL_MS} (5 min) after a success;
 * - after the n-th consecutive failure, again after n seconds.
 *
 * Only relay URLs are published by default (`AddrFilter.relayOnly()`), as in iroh. Timestamps come from a
 * strictly increasing source, so a publisher never sends a timestamp at or below one it sent before.
 * Publishes never overlap: a change during a publish is sent right after it.
 */
import type { EndpointAddr, SecretKey } from '@iroh-ts/base';
import type { SignedPacket } from '../pkarr/signed-packet.js';
import { defaultTimestampSource, type TimestampSource } from '../pkarr/timestamp.js';
import { AddrFilter } from '../records/addr-filter.js';
import { DEFAULT_PKARR_TTL, EndpointInfo } from '../records/endpoint-info.js';
import { PkarrClientError } from './errors.js';
import { PkarrRelayClient } from './relay-client.js';
import { defaultTimers, type FetchFn, type Timers } from './timers.js';

/** Republish interval after a success: 5 minutes. */
export const DEFAULT_REPUBLISH_INTERVAL_MS = 5 * 60 * 1000;

/** Options of {@link PkarrPublisher}. */
export interface PkarrPublisherOptions {
  /** The pkarr relay, e.g. `https://dns.iroh.link/pkarr`. */
  readonly relayUrl: string | URL;
  /** The endpoint's secret key; packets are signed with it. */
  readonly secretKey: SecretKey;
  /** TTL of the published records, in seconds. @defaultValue 30 */
  readonly ttl?: number;
  /** Republish interval after a success. @defaultValue 300,000 ms */
  readonly republishIntervalMs?: number;
  /** Which addresses to publish. @defaultValue `AddrFilter.relayOnly()` */
  readonly addrFilter?: AddrFilter;
  /** The fetch to use. @defaultValue the global `fetch` */
  readonly fetch?: FetchFn;
  /** Timers. @defaultValue the global ones */
  readonly timers?: Timers;
  /** Timestamp source. @defaultValue the process-wide monotonic source */
  readonly timestampSource?: TimestampSource;
  /** Called after each attempt with the error, or `undefined` on success. */
  readonly onResult?: (error: PkarrClientError | undefined, packet: SignedPacket | undefined) => void;
}

/** Keeps an endpoint's info published on a pkarr relay. */
export class PkarrPublisher {
  readonly #client: PkarrRelayClient;
  readonly #key: SecretKey;
  readonly #ttl: number;
  readonly #interval: number;
  readonly #filter: AddrFilter;
  readonly #timers: Timers;
  readonly #timestamps: TimestampSource;
  readonly #onResult: PkarrPublisherOptions['onResult'];
  #info: EndpointInfo | undefined;
  #timer: unknown;
  #inFlight: Promise<void> | undefined;
  #again = false;
  #failures = 0;
  #closed = false;
  #lastPacket: SignedPacket | undefined;

  /** @throws {@link PkarrClientError} `InvalidRelayUrl`. */
  constructor(options: PkarrPublisherOptions) {
    this.#client = new PkarrRelayClient(options.relayUrl, { fetch: options.fetch });
    this.#key = options.secretKey;
    this.#ttl = options.ttl ?? DEFAULT_PKARR_TTL;
    this.#interval = options.republishIntervalMs ?? DEFAULT_REPUBLISH_INTERVAL_MS;
    this.#filter = options.addrFilter ?? AddrFilter.relayOnly();
    this.#timers = options.timers ?? defaultTimers;
    this.#timestamps = options.timestampSource ?? defaultTimestampSource;
    this.#onResult = options.onResult;
  }

  /** The info being published (after filtering), if any. */
  get info(): EndpointInfo | undefined {
    return this.#info;
  }

  /** The last packet the relay accepted. */
  get lastPublished(): SignedPacket | undefined {
    return this.#lastPacket;
  }

  /** Consecutive failed attempts. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Sets what to publish: an {@link EndpointInfo} or {@link EndpointAddr} of this endpoint. The address
   * filter is applied; if the result differs from what is published, it is published at once.
   */
  update(data: EndpointInfo | EndpointAddr): void {
    if (this.#closed) return;
    const info = (data instanceof EndpointInfo ? data : EndpointInfo.fromEndpointAddr(data)).filtered(
      this.#filter,
    );
    const scoped = new EndpointInfo(this.#key.public(), info.addrs, info.userData);
    if (this.#info?.equals(scoped)) return;
    this.#info = scoped;
    this.#kick();
  }

  /**
   * Resolves when no publish is in flight. If none was in flight or pending, publishes now first (so after
   * `update()` this waits for that publish rather than sending a second one).
   */
  async flush(): Promise<void> {
    if (!this.#info) return;
    if (!this.#inFlight) this.#kick();
    while (this.#inFlight) await this.#inFlight;
  }

  /** Stops publishing. A publish in flight completes but nothing is scheduled afterwards. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(ms: number): void {
    this.#clearTimer();
    if (this.#closed) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, ms);
  }

  #kick(): void {
    if (this.#closed) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#clearTimer();
    this.#inFlight = this.#publishOnce().finally(() => {
      this.#inFlight = undefined;
      if (this.#again) {
        this.#again = false;
        this.#kick();
      }
    });
  }

  async #publishOnce(): Promise<void> {
    const info = this.#info;
    if (!info) return;
    let packet: SignedPacket | undefined;
    try {
      try {
        packet = info.toSignedPacket(this.#key, this.#ttl, { timestampSource: this.#timestamps });
      } catch (cause) {
        throw new PkarrClientError('Encoding', `cannot encode endpoint info: ${(cause as Error).message}`, {
          cause,
        });
      }
      await this.#client.publish(packet);
      this.#failures = 0;
      this.#lastPacket = packet;
      this.#schedule(this.#interval);
      this.#onResult?.(undefined, packet);
    } catch (e) {
      const error =
        e instanceof PkarrClientError ? e : new PkarrClientError('HttpSend', String(e), { cause: e });
      this.#failures++;
      this.#schedule(this.#failures * 1000);
      this.#onResult?.(error, packet);
    }
  }
}

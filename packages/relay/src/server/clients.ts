/**
 * The set of connected clients, keyed by endpoint id, with iroh-relay's rules for duplicates and
 * departures:
 *
 * - A new connection with an id already present becomes active; the old one is told
 *   `SameEndpointIdConnected` and kept as inactive (it may still send, but receives nothing).
 * - When the active connection leaves, the most recent inactive one is promoted and told `Healthy`.
 * - When the last connection of an id leaves, `EndpointGone` goes to the peers it had sent to.
 *
 * @module
 */
import type { PublicKey } from '@iroh-ts/base';
import { Status } from '../protos/status.js';
import { EndpointMap } from './endpoint-map.js';
import type { RelayServerMetrics } from './metrics.js';

/** What the registry needs from a connection. */
export interface RegisteredClient {
  /** The endpoint record the connection belongs to, set by {@link ClientRegistry.register}. */
  record: EndpointRecord<RegisteredClient> | undefined;
  /** Sends a status (as `Health` text to v1 clients). */
  sendStatus(status: number): void;
  /** Sends `EndpointGone` for the endpoint with id `key`. */
  sendEndpointGone(key: Uint8Array): void;
}

/** All connections of one endpoint id. */
export class EndpointRecord<C extends RegisteredClient = RegisteredClient> {
  /** The 32-byte id. */
  readonly key: Uint8Array;
  /** The id, parsed. */
  readonly endpointId: PublicKey;
  /** The connection that receives datagrams; `undefined` once the endpoint has left. */
  active: C | undefined;
  /** Older connections with the same id, oldest first. */
  readonly inactive: C[] = [];
  /** Peers this endpoint has sent datagrams to (they get `EndpointGone` when it leaves). */
  sentTo: Set<EndpointRecord<C>> | undefined;

  constructor(key: Uint8Array, endpointId: PublicKey, active: C) {
    this.key = key;
    this.endpointId = endpointId;
    this.active = active;
  }

  /** Remembers that this endpoint sent to `peer`. */
  noteSentTo(peer: EndpointRecord<C>): void {
    if (this.sentTo === undefined) this.sentTo = new Set();
    this.sentTo.add(peer);
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Registry of connected clients. */
export class ClientRegistry<C extends RegisteredClient = RegisteredClient> {
  readonly #map: EndpointMap<EndpointRecord<C>>;
  readonly #metrics: RelayServerMetrics;
  #seenToday = new Set<string>();
  #day = Math.floor(Date.now() / DAY_MS);

  /**
   * @param metrics - Counters to update.
   * @param seed - Random hash seed for the id map.
   */
  constructor(metrics: RelayServerMetrics, seed: number) {
    this.#metrics = metrics;
    this.#map = new EndpointMap(seed);
  }

  /** Number of distinct endpoint ids connected. */
  get endpointCount(): number {
    return this.#map.size;
  }

  /** The record of the id at `bytes[offset..offset + 32]`. */
  lookup(bytes: Uint8Array, offset: number): EndpointRecord<C> | undefined {
    return this.#map.get(bytes, offset);
  }

  /** Every record. */
  records(): IterableIterator<EndpointRecord<C>> {
    return this.#map.values();
  }

  /** Adds an authenticated, authorized connection and makes it the active one for its id. */
  register(client: C, endpointId: PublicKey): EndpointRecord<C> {
    const key = endpointId.bytesView;
    this.#countUnique(endpointId);
    const existing = this.#map.get(key, 0);
    if (existing === undefined || existing.active === undefined) {
      const record = new EndpointRecord<C>(key.slice(), endpointId, client);
      this.#map.set(key, record);
      client.record = record as EndpointRecord<RegisteredClient>;
      return record;
    }
    const old = existing.active;
    existing.active = client;
    existing.inactive.push(old);
    client.record = existing as EndpointRecord<RegisteredClient>;
    old.sendStatus(Status.SameEndpointIdConnected);
    this.#metrics.clientsInactiveAdded.inc();
    return existing;
  }

  /** Removes a connection, promoting an inactive one or announcing the endpoint's departure. */
  unregister(client: C): void {
    const record = client.record as EndpointRecord<C> | undefined;
    if (record === undefined) return;
    client.record = undefined;
    if (record.active !== client) {
      const at = record.inactive.indexOf(client);
      if (at >= 0) {
        record.inactive.splice(at, 1);
        this.#metrics.clientsInactiveRemoved.inc();
      }
      return;
    }
    const promoted = record.inactive.pop();
    if (promoted !== undefined) {
      record.active = promoted;
      this.#metrics.clientsInactiveRemoved.inc();
      promoted.sendStatus(Status.Healthy);
      return;
    }
    record.active = undefined;
    this.#map.delete(record.key);
    const peers = record.sentTo;
    record.sentTo = undefined;
    if (peers === undefined) return;
    for (const peer of peers) {
      // Look the peer up again: its record may have been replaced since.
      this.#map.get(peer.key, 0)?.active?.sendEndpointGone(record.key);
    }
  }

  #countUnique(endpointId: PublicKey): void {
    const day = Math.floor(Date.now() / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#seenToday = new Set();
    }
    const id = endpointId.toString();
    if (!this.#seenToday.has(id)) {
      this.#seenToday.add(id);
      this.#metrics.uniqueClientKeys.inc();
    }
  }
}

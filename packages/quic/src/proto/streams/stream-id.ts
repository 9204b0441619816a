/**
 * Stream IDs (RFC 9000 §2.1): the two low bits say who opened the stream (bit 0: 0 client, 1 server) and
 * whether it is bidirectional (bit 1: 0) or unidirectional (bit 1: 1); the rest is a per-type index.
 */

/** Which endpoint: the client or the server. */
export type Side = 'client' | 'server';
/** Bidirectional or unidirectional. */
export type Dir = 'bi' | 'uni';

/** Builds a stream ID. */
export function streamId(initiator: Side, dir: Dir, index: number): number {
  return index * 4 + (dir === 'uni' ? 2 : 0) + (initiator === 'server' ? 1 : 0);
}

/** Who opened the stream. */
export function streamInitiator(id: number): Side {
  return id % 2 === 1 ? 'server' : 'client';
}

/** Whether the stream is bidirectional or unidirectional. */
export function streamDir(id: number): Dir {
  return Math.floor(id / 2) % 2 === 1 ? 'uni' : 'bi';
}

/** The stream's index among streams of the same initiator and direction. */
export function streamIndex(id: number): number {
  return Math.floor(id / 4);
}

/** True when `side` may send on stream `id` (it opened it, or the stream is bidirectional). */
export function canSend(side: Side, id: number): boolean {
  return streamDir(id) === 'bi' || streamInitiator(id) === side;
}

/** True when `side` may receive on stream `id`. */
export function canReceive(side: Side, id: number): boolean {
  return streamDir(id) === 'bi' || streamInitiator(id) !== side;
}

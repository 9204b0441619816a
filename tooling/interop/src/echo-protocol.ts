/**
 * A tiny request/response protocol used by the QUIC interop tests, implemented for both real iroh
 * (`@number0/iroh`, number[] bytes) and iroh-ts. A request is one bidirectional stream: an op byte, a
 * body, end of stream. The server answers and finishes:
 * - `E` echo: the body back;
 * - `H` hash: SHA-256 of the body (32 bytes);
 * - `D` download: the body is a u32 length; answers that many deterministic bytes.
 * Datagrams are echoed.
 */
import { createHash } from 'node:crypto';
import type { BiStream, QuicConnection } from '@iroh-ts/quic';
import type * as iroh from '@number0/iroh';

/** What the protocol needs of one of our connections (a `QuicConnection` or an endpoint `Connection`). */
export type OurConnection = Pick<QuicConnection, 'openBi' | 'acceptBi' | 'sendDatagram' | 'readDatagram'>;

export const OP_ECHO = 0x45;
export const OP_HASH = 0x48;
export const OP_DOWNLOAD = 0x44;

/** Deterministic test data: byte i = (i * 31 + 7) mod 251. */
export function testData(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) % 251;
  return out;
}

export const sha256 = (b: Uint8Array | number[]): string =>
  createHash('sha256').update(Uint8Array.from(b)).digest('hex');

function answer(request: Uint8Array): Uint8Array {
  const body = request.subarray(1);
  switch (request[0]) {
    case OP_ECHO:
      return body;
    case OP_HASH:
      return createHash('sha256').update(body).digest();
    case OP_DOWNLOAD:
      return testData(new DataView(body.buffer, body.byteOffset, 4).getUint32(0));
    default:
      return new Uint8Array(0);
  }
}

/** Serves the protocol on a real iroh connection until it closes. */
export async function serveIroh(conn: iroh.Connection): Promise<void> {
  void (async () => {
    for (;;) {
      try {
        conn.sendDatagram(await conn.readDatagram());
      } catch {
        return;
      }
    }
  })();
  for (;;) {
    let bi: iroh.BiStream;
    try {
      bi = await conn.acceptBi();
    } catch {
      return;
    }
    void (async () => {
      const req = Uint8Array.from(await bi.recv.readToEnd(64 << 20));
      await bi.send.writeAll(Array.from(answer(req)));
      await bi.send.finish();
    })().catch(() => {});
  }
}

/** Serves the protocol on one of our connections until it closes. */
export async function serveOurs(conn: OurConnection): Promise<void> {
  void (async () => {
    for (;;) {
      try {
        conn.sendDatagram(await conn.readDatagram());
      } catch {
        return;
      }
    }
  })();
  for (;;) {
    let bi: BiStream;
    try {
      bi = await conn.acceptBi();
    } catch {
      return;
    }
    void (async () => {
      const req = await bi.recv.readToEnd(64 << 20);
      await bi.send.writeAll(answer(req));
      await bi.send.finish();
    })().catch(() => {});
  }
}

/** A request from our side. */
export async function requestOurs(
  conn: OurConnection,
  op: number,
  body: Uint8Array,
  limit = 64 << 20,
): Promise<Uint8Array> {
  const { send, recv } = await conn.openBi();
  const req = new Uint8Array(1 + body.length);
  req[0] = op;
  req.set(body, 1);
  await send.writeAll(req);
  await send.finish();
  return recv.readToEnd(limit);
}

/** A request from real iroh. */
export async function requestIroh(
  conn: iroh.Connection,
  op: number,
  body: Uint8Array,
  limit = 64 << 20,
): Promise<Uint8Array> {
  const bi = await conn.openBi();
  const req = new Uint8Array(1 + body.length);
  req[0] = op;
  req.set(body, 1);
  await bi.send.writeAll(Array.from(req));
  await bi.send.finish();
  return Uint8Array.from(await bi.recv.readToEnd(limit));
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

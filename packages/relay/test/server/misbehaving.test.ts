import { describe, expect, test } from 'vitest';
import {
  decodeHandshakeFrame,
  encodeHandshakeFrame,
  MAX_PACKET_SIZE,
  signChallenge,
} from '../../src/index.js';
import type { RelayServer } from '../../src/server/index.js';
import { fixedKey, NOT_A_POINT } from '../support/keys.js';
import { RawClient, type UpgradeRefused } from '../support/raw-client.js';
import { connected, nextDatagrams, startRelay, until } from '../support/relay.js';

const [A, B, BAD] = [fixedKey(1), fixedKey(2), fixedKey(66)];

/** A healthy pair; `check()` proves they still exchange datagrams both ways. */
async function healthyPair(server: RelayServer): Promise<{ check: () => Promise<void> }> {
  const ca = await connected(server.url, A);
  const cb = await connected(server.url, B);
  let n = 0;
  const check = async () => {
    n++;
    const atB = nextDatagrams(cb, A.public());
    ca.sendDatagram(B.public(), Uint8Array.of(n));
    expect([...(await atB).datagrams.contents]).toEqual([n]);
    const atA = nextDatagrams(ca, B.public());
    cb.sendDatagram(A.public(), Uint8Array.of(n));
    await atA;
  };
  await check();
  return { check };
}

async function handshaken(server: RelayServer): Promise<RawClient> {
  const raw = await RawClient.open(server.url);
  expect((await raw.handshake(BAD)).type).toBe('serverConfirmsAuth');
  return raw;
}

describe('a misbehaving client closes only itself', () => {
  test('garbage after the handshake', async () => {
    const server = await startRelay();
    const pair = await healthyPair(server);
    for (const garbage of [
      Uint8Array.of(0xff, 0xff),
      Uint8Array.of(99, 1, 2),
      new Uint8Array(0),
      Uint8Array.of(6, ...new Uint8Array(40)),
      Uint8Array.of(9, 1, 2),
    ]) {
      const raw = await handshaken(server);
      raw.send(garbage);
      const closed = await raw.closed;
      expect(closed.code).toBe(1002);
      expect(closed.reason.length).toBeGreaterThan(0);
      await pair.check();
    }
    expect(server.metrics.protocolErrors.get()).toBe(5n);
    expect(server.metrics.unknownFrames.get()).toBe(1n);
  });

  test('datagrams before the handshake', async () => {
    const server = await startRelay();
    const pair = await healthyPair(server);
    const raw = await RawClient.open(server.url);
    await raw.next(); // challenge
    const datagram = new Uint8Array(40);
    datagram[0] = 4;
    datagram.set(A.public().toBytes(), 1);
    raw.send(datagram);
    const closed = await raw.closed;
    expect(closed.code).toBe(1002);
    expect(closed.reason).toMatch(/unexpected/i);
    await pair.check();
    expect(server.metrics.authFailures.get()).toBe(1n);
  });

  test('a bad signature is denied with "signature invalid"', async () => {
    const server = await startRelay();
    const pair = await healthyPair(server);
    const raw = await RawClient.open(server.url);
    const result = await raw.handshake(BAD, (frame) => {
      frame[40] = frame[40]! ^ 1;
    });
    expect(result).toEqual({ type: 'serverDeniesAuth', reason: 'signature invalid' });
    expect((await raw.closed).code).toBe(1008);
    await pair.check();
  });

  test('a ClientAuth with a non-point key or a short signature closes the connection', async () => {
    const server = await startRelay();
    const pair = await healthyPair(server);
    for (const tamper of [(f: Uint8Array) => f.set(NOT_A_POINT, 1), (f: Uint8Array) => f.fill(10, 33, 34)]) {
      const raw = await RawClient.open(server.url);
      const first = decodeHandshakeFrame(await raw.next(), ['serverChallenge']);
      if (first.type !== 'serverChallenge') throw new Error('type');
      const auth = encodeHandshakeFrame(signChallenge(BAD, first.challenge));
      tamper(auth);
      raw.send(auth);
      expect((await raw.closed).code).toBe(1002);
    }
    await pair.check();
  });

  test('a wrong subprotocol is refused at the upgrade', async () => {
    const server = await startRelay();
    const pair = await healthyPair(server);
    const err = (await RawClient.open(server.url, { protocols: ['iroh-relay-v3'] }).catch(
      (e: unknown) => e,
    )) as UpgradeRefused;
    expect(err.status).toBe(400);
    await pair.check();
  });

  test('content over 64 KiB closes with 1009; a message over 1 MiB is cut by the WebSocket layer', async () => {
    const server = await startRelay();
    const pair = await healthyPair(server);
    const raw = await handshaken(server);
    const big = new Uint8Array(1 + MAX_PACKET_SIZE + 1);
    big[0] = 4;
    big.set(A.public().toBytes(), 1);
    raw.send(big);
    expect((await raw.closed).code).toBe(1009);
    await pair.check();
    const raw2 = await handshaken(server);
    raw2.send(new Uint8Array(1024 * 1024 + 1));
    expect((await raw2.closed).code).toBe(1009);
    await pair.check();
  });

  test('a datagram to an invalid endpoint id closes the sender', async () => {
    const server = await startRelay();
    const pair = await healthyPair(server);
    const raw = await handshaken(server);
    const frame = new Uint8Array(40);
    frame[0] = 4;
    frame.set(NOT_A_POINT, 1);
    raw.send(frame);
    expect((await raw.closed).code).toBe(1002);
    await pair.check();
  });

  test('text messages are ignored', async () => {
    const server = await startRelay();
    const raw = await handshaken(server);
    raw.ws.send('hello');
    raw.send(Uint8Array.of(9, 1, 1, 1, 1, 1, 1, 1, 1));
    expect((await raw.next())[0]).toBe(10);
  });

  test('a client that never finishes the handshake is closed at the deadline', async () => {
    const server = await startRelay({ timing: { establishTimeoutMs: 100, tickMs: 20 } });
    const pair = await healthyPair(server);
    const raw = await RawClient.open(server.url);
    await raw.next();
    const closed = await raw.closed;
    expect(closed.reason).toBe('handshake timeout');
    await pair.check();
    await until(() => server.connectionCount === 2);
  });

  test('a client that does not answer pings is closed', async () => {
    const server = await startRelay({
      timing: { pingIntervalMs: 50, pingJitterMs: [0, 10], pongTimeoutMs: 100, tickMs: 10 },
    });
    const raw = await handshaken(server);
    const ping = await raw.next();
    expect(ping[0]).toBe(9);
    expect(ping.length).toBe(9);
    const closed = await raw.closed;
    expect(closed.reason).toBe('ping timeout');
    expect(server.metrics.pingTimeouts.get()).toBe(1n);
  });
});

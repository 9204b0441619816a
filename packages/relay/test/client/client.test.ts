import { describe, expect, test } from 'vitest';
import {
  decodeClientToRelay,
  decodeHandshakeFrame,
  encodeHandshakeFrame,
  encodeRelayToClient,
  MAX_PACKET_SIZE,
  RelayClient,
  type RelayClientError,
  type RelayClientOptions,
  type RelayClientState,
  verifyChallengeSignature,
} from '../../src/index.js';
import { type FakeSocket, fakeFactory, flush, ManualTimers } from '../support/fakes.js';
import { fixedKey } from '../support/keys.js';

const KEY = fixedKey(1);
const PEER = fixedKey(2).public();
const CHALLENGE = new Uint8Array(16).fill(5);

function setup(options: Partial<RelayClientOptions> = {}) {
  const timers = new ManualTimers();
  const { factory, sockets } = fakeFactory();
  let counter = 0;
  const client = new RelayClient({
    url: 'http://relay.test/',
    secretKey: KEY,
    timers,
    webSocketFactory: factory,
    jitter: () => 0,
    random: (n) => new Uint8Array(n).fill(++counter),
    ...options,
  });
  const states: RelayClientState[] = [];
  client.on('state', ({ state }) => states.push(state));
  return { client, timers, sockets, states };
}

/** Plays the relay's side of a successful handshake on `sock`. */
async function establish(sock: FakeSocket, protocol = 'iroh-relay-v2'): Promise<void> {
  sock.open(protocol);
  sock.receive(encodeHandshakeFrame({ type: 'serverChallenge', challenge: CHALLENGE }));
  const auth = decodeHandshakeFrame(sock.take()[0]!, ['clientAuth']);
  if (auth.type !== 'clientAuth') throw new Error('type');
  expect(verifyChallengeSignature(auth.publicKey, auth.signature, CHALLENGE)).toBe(true);
  sock.receive(Uint8Array.of(2));
  await flush();
}

const types = (frames: Uint8Array[]) => frames.map((f) => f[0]);

describe('connecting', () => {
  test('handshake, then a keep-alive ping right away', async () => {
    const { client, sockets, states } = setup();
    const done = client.connect();
    expect(sockets[0]!.options.url).toBe('ws://relay.test/relay');
    expect(sockets[0]!.options.protocols).toEqual(['iroh-relay-v2', 'iroh-relay-v1']);
    await establish(sockets[0]!);
    await done;
    expect(client.state).toBe('connected');
    expect(client.protocolVersion).toBe('iroh-relay-v2');
    expect(states).toEqual(['connecting', 'connected']);
    expect(types(sockets[0]!.take())).toEqual([9]);
  });

  test('a direct ServerConfirmsAuth (keying-material path) is accepted', async () => {
    const { client, sockets } = setup();
    const done = client.connect();
    sockets[0]!.open();
    sockets[0]!.receive(Uint8Array.of(2));
    await done;
    expect(client.state).toBe('connected');
  });

  test('denial rejects with the reason and does not retry', async () => {
    const { client, sockets, timers } = setup();
    const done = client.connect();
    sockets[0]!.open();
    sockets[0]!.receive(encodeHandshakeFrame({ type: 'serverDeniesAuth', reason: 'not authorized' }));
    await expect(done).rejects.toMatchObject({ code: 'ServerDeniedAuth', reason: 'not authorized' });
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.state).toBe('disconnected');
  });

  test('a missing or unknown subprotocol fails with ProtocolMismatch', async () => {
    for (const [protocol, offered] of [
      ['', undefined],
      ['iroh-relay-v1', ['iroh-relay-v2'] as const],
      ['chat', undefined],
    ] as const) {
      const { client, sockets } = setup(offered ? { protocols: offered } : {});
      const done = client.connect();
      sockets[0]!.open(protocol);
      await expect(done).rejects.toMatchObject({ code: 'ProtocolMismatch' });
      expect(sockets[0]!.closedWith).toBeDefined();
    }
  });

  test('connect times out', async () => {
    const { client, sockets, timers } = setup({ connectTimeoutMs: 1000 });
    const done = client.connect();
    timers.advance(999);
    expect(sockets[0]!.closedWith).toBeUndefined();
    timers.advance(1);
    await expect(done).rejects.toMatchObject({ code: 'ConnectTimeout' });
  });

  test('a socket closed before the upgrade completes fails with ConnectFailed', async () => {
    const { client, sockets } = setup();
    const done = client.connect();
    sockets[0]!.options.handlers.onError('Unexpected server response: 503');
    sockets[0]!.drop(1006);
    await expect(done).rejects.toMatchObject({
      code: 'ConnectFailed',
      message: expect.stringContaining('503'),
    });
  });

  test('the token goes in the Authorization header, or in the query when asked', () => {
    const header = setup({ authToken: 'tok' });
    header.client.connect().catch(() => {});
    expect(header.sockets[0]!.options.headers).toEqual({ Authorization: 'Bearer tok' });
    expect(header.sockets[0]!.options.url).toBe('ws://relay.test/relay');
    const query = setup({ authToken: 'tok', tokenInQuery: true, url: 'https://relay.test' });
    query.client.connect().catch(() => {});
    expect(query.sockets[0]!.options.headers).toEqual({});
    expect(query.sockets[0]!.options.url).toBe('wss://relay.test/relay?token=tok');
  });
});

describe('keep-alive', () => {
  test('pings after 15 s of silence, answers relay pings, and a missing pong reconnects', async () => {
    const { client, sockets, timers, states } = setup();
    const done = client.connect();
    await establish(sockets[0]!);
    await done;
    const sock = sockets[0]!;
    const firstPing = sock.take()[0]!;
    sock.receive(encodeRelayToClient({ type: 'pong', data: firstPing.subarray(1) }));
    timers.advance(10_000);
    sock.receive(encodeRelayToClient({ type: 'ping', data: new Uint8Array(8).fill(0xaa) }));
    expect(decodeClientToRelay(sock.take()[0]!)).toEqual({
      type: 'pong',
      data: new Uint8Array(8).fill(0xaa),
    });
    timers.advance(14_999);
    expect(sock.take()).toEqual([]);
    timers.advance(1);
    expect(types(sock.take())).toEqual([9]);
    // No pong: after the pong timeout (3× the measured RTT of 0, clamped to 500 ms) the connection goes.
    timers.advance(499);
    expect(sock.closedWith).toBeUndefined();
    timers.advance(1);
    expect(sock.closedWith).toBeDefined();
    await flush();
    expect(states.slice(-2)).toEqual(['disconnected', 'reconnecting']);
    timers.advance(10);
    expect(sockets).toHaveLength(2);
  });

  test('ping() resolves with the RTT', async () => {
    const { client, sockets, timers } = setup();
    const done = client.connect();
    await establish(sockets[0]!);
    await done;
    sockets[0]!.take();
    const rtt = client.ping();
    const ping = sockets[0]!.take()[0]!;
    timers.advance(30);
    sockets[0]!.receive(encodeRelayToClient({ type: 'pong', data: ping.subarray(1) }));
    expect(await rtt).toBe(30);
    await expect(setup().client.ping()).rejects.toMatchObject({ code: 'NotConnected' });
  });
});

describe('reconnecting', () => {
  test('backs off 10, 20, 40 ms … after repeated failures and resets after success', async () => {
    const { client, sockets, timers } = setup();
    const done = client.connect();
    await establish(sockets[0]!);
    await done;
    const errors: RelayClientError[] = [];
    client.on('error', (e) => errors.push(e));
    sockets[0]!.drop();
    await flush();
    for (const delay of [10, 20, 40]) {
      const before = sockets.length;
      timers.advance(delay - 1);
      expect(sockets.length).toBe(before);
      timers.advance(1);
      expect(sockets.length).toBe(before + 1);
      sockets.at(-1)!.drop();
      await flush();
    }
    expect(errors.map((e) => e.code)).toEqual(['ConnectFailed', 'ConnectFailed', 'ConnectFailed']);
    timers.advance(80);
    await establish(sockets.at(-1)!);
    expect(client.state).toBe('connected');
    sockets.at(-1)!.drop();
    await flush();
    const before = sockets.length;
    timers.advance(10);
    expect(sockets.length).toBe(before + 1);
  });

  test('after Restarting, the first retry waits exactly reconnect_in', async () => {
    const { client, sockets, timers } = setup();
    const restarts: unknown[] = [];
    client.on('restarting', (r) => restarts.push(r));
    const done = client.connect();
    await establish(sockets[0]!);
    await done;
    sockets[0]!.receive(encodeRelayToClient({ type: 'restarting', reconnectInMs: 700, tryForMs: 5000 }));
    expect(restarts).toEqual([{ reconnectInMs: 700, tryForMs: 5000 }]);
    sockets[0]!.drop(1012, 'relay restarting');
    await flush();
    timers.advance(699);
    expect(sockets).toHaveLength(1);
    timers.advance(1);
    expect(sockets).toHaveLength(2);
  });

  test('an invalid frame (Status on v1) closes the connection as a protocol error', async () => {
    const { client, sockets } = setup();
    const lost: (RelayClientError | undefined)[] = [];
    client.on('state', ({ state, error }) => {
      if (state === 'disconnected') lost.push(error);
    });
    const done = client.connect();
    await establish(sockets[0]!, 'iroh-relay-v1');
    await done;
    sockets[0]!.receive(Uint8Array.of(13, 0));
    expect(sockets[0]!.closedWith?.code).toBe(1002);
    expect(lost[0]?.code).toBe('ProtocolError');
  });

  test('close() stops everything', async () => {
    const { client, sockets, timers } = setup();
    const done = client.connect();
    await establish(sockets[0]!);
    await done;
    sockets[0]!.drop();
    await flush();
    client.close();
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.state).toBe('closed');
    await expect(client.connect()).rejects.toMatchObject({ code: 'Closed' });
  });
});

describe('datagrams', () => {
  async function connectedClient(options: Partial<RelayClientOptions> = {}) {
    const s = setup(options);
    const done = s.client.connect();
    await establish(s.sockets[0]!);
    await done;
    s.sockets[0]!.take();
    return s;
  }

  test('send validates input and reports drops when disconnected', async () => {
    const offline = setup();
    expect(offline.client.sendDatagram(PEER, Uint8Array.of(1))).toBe(false);
    expect(() => offline.client.sendDatagram(PEER, new Uint8Array())).toThrow(
      expect.objectContaining({ code: 'EmptyDatagram' }),
    );
    const { client, sockets } = await connectedClient();
    expect(client.sendDatagram(PEER, Uint8Array.of(1, 2), 2)).toBe(true);
    const msg = decodeClientToRelay(sockets[0]!.take()[0]!);
    if (msg.type !== 'datagrams') throw new Error('type');
    expect(msg.dst.equals(PEER)).toBe(true);
    expect(msg.datagrams.ecn).toBe(2);
    sockets[0]!.bufferedAmount = 10 * 1024 * 1024;
    expect(client.sendDatagram(PEER, Uint8Array.of(1))).toBe(false);
  });

  test('a batch too large for one frame is split at segment boundaries', async () => {
    const { client, sockets } = await connectedClient();
    const parts = Array.from({ length: 100 }, (_, i) => new Uint8Array(1200).fill(i));
    expect(client.sendBatch(PEER, parts)).toBe(true);
    const frames = sockets[0]!.take();
    expect(frames.length).toBe(2);
    const joined: number[] = [];
    for (const f of frames) {
      expect(f.length - 1).toBeLessThanOrEqual(MAX_PACKET_SIZE);
      const msg = decodeClientToRelay(f);
      if (msg.type !== 'datagrams') throw new Error('type');
      expect(msg.datagrams.segmentSize).toBe(1200);
      joined.push(...msg.datagrams.contents);
    }
    expect(joined).toEqual(parts.flatMap((p) => [...p]));
  });

  test('received datagrams, gone, status and health are events; the iterator ends on close', async () => {
    const { client, sockets } = await connectedClient();
    const gone: string[] = [];
    const status: number[] = [];
    client.on('endpointGone', (id) => gone.push(id.toString()));
    client.on('status', (s) => status.push(s));
    const it = client.datagrams();
    sockets[0]!.receive(
      encodeRelayToClient({
        type: 'datagrams',
        src: PEER,
        datagrams: { ecn: 1, contents: Uint8Array.of(9) },
      }),
    );
    sockets[0]!.receive(encodeRelayToClient({ type: 'endpointGone', endpointId: PEER }));
    sockets[0]!.receive(encodeRelayToClient({ type: 'status', status: 2 }));
    const first = await it.next();
    expect(first.done).toBe(false);
    if (first.done !== true) {
      expect(first.value.src.equals(PEER)).toBe(true);
      expect([...first.value.datagrams.contents]).toEqual([9]);
    }
    expect(gone).toEqual([PEER.toString()]);
    expect(status).toEqual([2]);
    const pending = it.next();
    client.close();
    expect((await pending).done).toBe(true);
  });
});

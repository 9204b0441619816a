import { describe, expect, test } from 'vitest';
import { type RelayClientError, Status } from '../../src/index.js';
import { fixedKey } from '../support/keys.js';
import { RawClient } from '../support/raw-client.js';
import { client, connected, startRelay, until } from '../support/relay.js';

const [A, B, C] = [fixedKey(1), fixedKey(2), fixedKey(3)];

describe('receive rate limit', () => {
  test('throttles without dropping: RateLimited is sent once and every byte arrives', async () => {
    const server = await startRelay({
      limits: { client: { rx: { bytesPerSecond: 100_000, maxBurstBytes: 5_000 } } },
    });
    const ca = await connected(server.url, A);
    const cb = await connected(server.url, B);
    const statuses: number[] = [];
    ca.on('status', (s) => statuses.push(s));
    let received = 0;
    cb.on('datagrams', (d) => {
      received += d.datagrams.contents.length;
    });
    const count = 40;
    for (let i = 0; i < count; i++)
      expect(ca.sendDatagram(B.public(), new Uint8Array(1000).fill(i))).toBe(true);
    await until(() => received === count * 1000, 10_000, 'all bytes');
    expect(statuses.filter((s) => s === Status.RateLimited)).toHaveLength(1);
    expect(server.metrics.connsRxRatelimited.get()).toBe(1n);
    expect(server.metrics.bytesRxRatelimited.get()).toBeGreaterThan(0n);
    expect(server.metrics.sendQueueDropped.get()).toBe(0n);
  });

  test('the default burst is a tenth of the rate and a bad rate is rejected', async () => {
    await expect(startRelay({ limits: { client: { rx: { bytesPerSecond: 0 } } } })).rejects.toMatchObject({
      code: 'InvalidConfig',
    });
    await expect(startRelay({ limits: { client: { rx: { bytesPerSecond: 5 } } } })).rejects.toMatchObject({
      code: 'InvalidConfig',
    });
  });
});

describe('client limit', () => {
  test('connections beyond maxClients are refused with 503', async () => {
    const server = await startRelay({ limits: { maxClients: 2 } });
    await connected(server.url, A);
    await connected(server.url, B);
    const err = (await client(server.url, C, { reconnect: false })
      .connect()
      .catch((e: unknown) => e)) as RelayClientError;
    expect(err.code).toBe('ConnectFailed');
    expect(err.message).toContain('503');
    expect(server.metrics.rejectedMaxClients.get()).toBe(1n);
  });
});

/** A raw client of B that stops reading its socket after the handshake. */
async function stalledReceiver(url: string): Promise<RawClient> {
  const raw = await RawClient.open(url);
  expect((await raw.handshake(B)).type).toBe('serverConfirmsAuth');
  raw.ws.pause();
  return raw;
}

async function blast(url: string, total: number, size: number): Promise<void> {
  const ca = await connected(url, A, { maxBufferedBytes: 1 << 30 });
  const payload = new Uint8Array(size).fill(7);
  for (let i = 0; i < total; i++) {
    expect(ca.sendDatagram(B.public(), payload)).toBe(true);
    if (i % 64 === 63) await new Promise((r) => setImmediate(r));
  }
}

describe('bounded send queue', () => {
  test('a receiver that stops reading makes the relay drop, not buffer', async () => {
    const server = await startRelay({
      limits: { sendQueueDepth: 16, maxSendQueueBytes: 256 * 1024 },
      timing: { writeTimeoutMs: 60_000 },
    });
    await stalledReceiver(server.url);
    const total = 1500;
    await blast(server.url, total, 16 * 1024);
    const m = server.metrics;
    await until(() => m.sendPacketsRecv.get() === BigInt(total), 20_000, 'all datagrams read');
    expect(m.sendQueueDropped.get()).toBeGreaterThan(0n);
    expect(m.sendPacketsSent.get() + m.sendQueueDropped.get()).toBe(BigInt(total));
    expect(server.clientCount).toBe(2);
  });

  test('a write stuck longer than the write timeout disconnects the receiver only', async () => {
    const server = await startRelay({
      limits: { sendQueueDepth: 16 },
      timing: { writeTimeoutMs: 200, tickMs: 20 },
    });
    const raw = await stalledReceiver(server.url);
    await blast(server.url, 1500, 16 * 1024);
    await until(() => server.metrics.writeTimeouts.get() === 1n, 20_000, 'write timeout');
    raw.ws.resume();
    await raw.closed;
    await until(() => server.clientCount === 1, 5000, 'receiver gone');
  });
});

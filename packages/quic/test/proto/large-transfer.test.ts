import { describe, expect, it } from 'vitest';
import { makePair } from '../support/pair-helpers.js';
import { streamTransfer } from '../support/stream-transfer.js';

// The size is an environment knob so that a developer can run the scenario quickly; CI runs 1 GiB.
const SIZE = Number(process.env.IROH_TS_LARGE_TRANSFER_MIB ?? 1024) * 1024 * 1024;

describe('large transfer over the simulated link', () => {
  it(`moves ${SIZE >> 20} MiB intact under 5% loss, reordering and duplication`, () => {
    const { pair, client, server } = makePair({
      seed: 21,
      link: { latency: 5, jitter: 4, loss: 0.05, duplicate: 0.05, mtu: 1500 },
    });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking, { deadline: 60_000 });
    const r = streamTransfer(pair, client, server, SIZE, 7);
    expect(r.received).toBe(SIZE);
    expect(r.receivedHash).toBe(r.sentHash);
    const stats = client.stats();
    // The link really lost, duplicated and reordered packets, and recovery repaired it.
    expect(stats.packetsLost).toBeGreaterThan(0);
    expect(pair.dropped[0]).toBeGreaterThan(0);
    expect(server.stats().packetsReceived).toBeGreaterThan(stats.packetsSent * 0.9);
  }, 1_800_000);
});

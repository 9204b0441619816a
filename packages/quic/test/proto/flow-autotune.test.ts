import { describe, expect, it } from 'vitest';
import { makePair } from '../support/pair-helpers.js';
import { streamTransfer } from '../support/stream-transfer.js';

describe('stream window auto-tuning', () => {
  it('grows the window past 1.25 MB when a long path would otherwise be window-limited', () => {
    // RTT 100 ms: a fixed 1.25 MB window allows at most 12.5 MB/s, so 24 MiB would need ≥ 2 s of
    // simulated time. Reads are immediate, so the window doubles and the transfer finishes sooner.
    const { pair, client, server } = makePair({ seed: 3, link: { latency: 50, mtu: 1500 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    const start = pair.now;
    const r = streamTransfer(pair, client, server, 24 << 20, 5);
    expect(r.receivedHash).toBe(r.sentHash);
    const seconds = (pair.now - start) / 1000;
    expect(seconds).toBeLessThan((24 * 1.048576) / 12.5);
  });
});

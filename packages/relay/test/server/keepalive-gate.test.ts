import { describe, expect, test, vi } from 'vitest';
import { DEFAULT_TIMING, RelayServerMetrics, TokenBucket } from '../../src/server/index.js';
import { ServerKeepAlive } from '../../src/server/keep-alive.js';
import { PauseReason, ReadGate } from '../../src/server/read-gate.js';

describe('ServerKeepAlive', () => {
  const timing = {
    ...DEFAULT_TIMING,
    pingIntervalMs: 15_000,
    pingJitterMs: [1000, 5000] as const,
    pongTimeoutMs: 5000,
  };

  test('pings after interval + jitter of silence; frames push the ping back', () => {
    const ka = new ServerKeepAlive(timing, 0, () => 0.5);
    expect(ka.tick(17_999)).toBeUndefined();
    ka.received(10_000);
    expect(ka.tick(18_000)).toBeUndefined();
    expect(ka.tick(27_999)).toBeUndefined();
    expect(ka.tick(28_000)).toBe('ping');
  });

  test('a missing pong times out; a matching pong clears it', () => {
    const ka = new ServerKeepAlive(timing, 0, () => 0);
    expect(ka.tick(16_000)).toBe('ping');
    const data = new Uint8Array(8).fill(1);
    ka.pingSent(data, 16_000);
    expect(ka.tick(20_999)).toBeUndefined();
    expect(ka.tick(21_000)).toBe('timeout');

    const ok = new ServerKeepAlive(timing, 0, () => 0);
    ok.pingSent(data, 16_000);
    ok.pong(new Uint8Array(8).fill(2), 16_010);
    expect(ok.tick(21_000)).toBe('timeout');
    const ok2 = new ServerKeepAlive(timing, 0, () => 0);
    ok2.pingSent(data, 16_000);
    ok2.pong(data, 16_010);
    expect(ok2.tick(21_000)).toBeUndefined();
    expect(ok2.tick(32_000)).toBe('ping');
  });
});

describe('ReadGate', () => {
  test('pauses when the bucket runs dry, reports once, resumes after the refill', () => {
    vi.useFakeTimers();
    try {
      const calls: string[] = [];
      const target = { pause: () => calls.push('pause'), resume: () => calls.push('resume') };
      const metrics = new RelayServerMetrics();
      let told = 0;
      const gate = new ReadGate(target, new TokenBucket(1000, 10_000, 0), metrics, () => told++);
      gate.consumed(500, 0);
      expect(calls).toEqual([]);
      gate.consumed(600, 0);
      expect(calls).toEqual(['pause']);
      gate.consumed(100, 1);
      vi.advanceTimersByTime(100);
      expect(calls).toEqual(['pause', 'resume']);
      gate.consumed(5000, 100);
      expect(told).toBe(1);
      expect(metrics.connsRxRatelimited.get()).toBe(1n);
      expect(metrics.bytesRxRatelimited.get()).toBe(5700n);
      gate.dispose();
      vi.advanceTimersByTime(10_000);
      expect(calls).toEqual(['pause', 'resume', 'pause']);
    } finally {
      vi.useRealTimers();
    }
  });

  test('reading resumes only when every pause reason is lifted', () => {
    const calls: string[] = [];
    const gate = new ReadGate(
      { pause: () => calls.push('p'), resume: () => calls.push('r') },
      undefined,
      new RelayServerMetrics(),
      () => {},
    );
    gate.pause(PauseReason.Authorizing);
    gate.pause(PauseReason.RateLimited);
    gate.resume(PauseReason.Authorizing);
    expect(calls).toEqual(['p']);
    gate.resume(PauseReason.RateLimited);
    expect(calls).toEqual(['p', 'r']);
    gate.resume(PauseReason.RateLimited);
    expect(calls).toEqual(['p', 'r']);
  });
});

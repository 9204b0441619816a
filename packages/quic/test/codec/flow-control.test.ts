import { describe, expect, it } from 'vitest';
import { RecvWindow, SendWindow } from '../../src/proto/streams/flow-control.js';
import {
  canReceive,
  canSend,
  streamDir,
  streamId,
  streamIndex,
  streamInitiator,
} from '../../src/proto/streams/stream-id.js';

describe('stream ids (RFC 9000 §2.1)', () => {
  it('encodes initiator and direction in the low bits', () => {
    expect([
      streamId('client', 'bi', 0),
      streamId('server', 'bi', 0),
      streamId('client', 'uni', 0),
      streamId('server', 'uni', 0),
    ]).toEqual([0, 1, 2, 3]);
    expect(streamId('server', 'uni', 5)).toBe(23);
    expect([streamInitiator(23), streamDir(23), streamIndex(23)]).toEqual(['server', 'uni', 5]);
    expect(canSend('client', 3)).toBe(false);
    expect(canReceive('client', 3)).toBe(true);
    expect(canSend('client', 1)).toBe(true);
    expect(canSend('server', 2)).toBe(false);
  });
});

describe('RecvWindow', () => {
  it('rejects data beyond the advertised limit and counts only new bytes', () => {
    const w = new RecvWindow(100);
    expect(w.onReceived(60)).toBe(60);
    expect(w.onReceived(40)).toBe(0);
    expect(w.onReceived(100)).toBe(40);
    expect(w.onReceived(101)).toBe(-1);
  });

  it('advertises more once half the window is consumed, and grows the window when reads are fast', () => {
    const w = new RecvWindow(100, 400);
    w.onReceived(40);
    w.onConsumed(40);
    expect(w.pollUpdate(0, 10)).toBeUndefined(); // only 40 of 100 used
    w.onReceived(60);
    w.onConsumed(20);
    expect(w.pollUpdate(0, 10)).toBe(160);
    expect(w.windowSize).toBe(100);
    w.onReceived(160);
    w.onConsumed(100);
    // A second update within two RTTs of the first: the window doubles.
    expect(w.pollUpdate(5, 10)).toBe(160 + 200);
    expect(w.windowSize).toBe(200);
    w.onReceived(360);
    w.onConsumed(200);
    // Slow reader (long after): no growth.
    expect(w.pollUpdate(1000, 10)).toBe(360 + 200);
    expect(w.windowSize).toBe(200);
  });
});

describe('SendWindow', () => {
  it('tracks availability, raises only upwards and reports blocked once per limit', () => {
    const w = new SendWindow(10);
    w.onSent(10);
    expect(w.available).toBe(0);
    expect(w.pollBlocked()).toBe(10);
    expect(w.pollBlocked()).toBeUndefined();
    expect(w.raise(5)).toBe(false);
    expect(w.raise(20)).toBe(true);
    expect(w.available).toBe(10);
    expect(w.pollBlocked()).toBeUndefined();
    w.onSent(10);
    expect(w.pollBlocked()).toBe(20);
  });
});

import { describe, expect, test } from 'vitest';
import { Emitter } from '../../src/client/emitter.js';
import { ClientHandshake } from '../../src/client/handshake.js';
import { Backoff, decodeHandshakeFrame, encodeHandshakeFrame, relayDialUrl } from '../../src/index.js';
import { fixedKey } from '../support/keys.js';

describe('relayDialUrl', () => {
  test('replaces the path with /relay and maps schemes', () => {
    expect(relayDialUrl('http://127.0.0.1:3340/')).toBe('ws://127.0.0.1:3340/relay');
    expect(relayDialUrl('https://relay.example.com./some/path')).toBe('wss://relay.example.com./relay');
    expect(relayDialUrl('ws://h:1')).toBe('ws://h:1/relay');
    expect(relayDialUrl('iroh-relay://h:1/x')).toBe('wss://h:1/relay');
    expect(relayDialUrl(new URL('http://h/'), 'a b&c')).toBe('ws://h/relay?token=a+b%26c');
  });

  test('rejects unparseable URLs', () => {
    expect(() => relayDialUrl('not a url')).toThrow(expect.objectContaining({ code: 'InvalidUrl' }));
    expect(() => relayDialUrl('mailto:x')).toThrow(expect.objectContaining({ code: 'InvalidUrl' }));
  });
});

describe('Backoff', () => {
  test('doubles from 10 ms up to 16 s, with jitter up to the delay', () => {
    const none = new Backoff({}, () => 0);
    const delays = Array.from({ length: 13 }, () => none.next());
    expect(delays.slice(0, 4)).toEqual([10, 20, 40, 80]);
    expect(delays.at(-1)).toBe(16_000);
    const full = new Backoff({}, () => 0.999);
    expect(full.next()).toBeCloseTo(19.99);
    none.reset();
    expect(none.next()).toBe(10);
  });
});

describe('Emitter', () => {
  test('delivers to listeners, unsubscribes, and isolates throwing listeners', async () => {
    const e = new Emitter<{ x: number }>();
    const got: number[] = [];
    const off = e.on('x', (v) => got.push(v));
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    e.on('x', () => {
      throw new Error('listener bug');
    });
    e.emit('x', 1);
    off();
    e.emit('x', 2);
    expect(got).toEqual([1]);
    expect(e.listenerCount('x')).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    process.off('uncaughtException', onError);
    expect(errors).toHaveLength(2);
  });
});

describe('ClientHandshake', () => {
  test('answers a challenge, then accepts a confirm', () => {
    const hs = new ClientHandshake(fixedKey(1));
    const step = hs.handleFrame(
      encodeHandshakeFrame({ type: 'serverChallenge', challenge: new Uint8Array(16) }),
    );
    if (step.kind !== 'send') throw new Error('kind');
    expect(decodeHandshakeFrame(step.frame, ['clientAuth']).type).toBe('clientAuth');
    expect(hs.handleFrame(Uint8Array.of(2))).toEqual({ kind: 'confirmed' });
  });

  test('accepts a confirm or deny as the first frame; rejects a second challenge', () => {
    expect(new ClientHandshake(fixedKey(1)).handleFrame(Uint8Array.of(2))).toEqual({ kind: 'confirmed' });
    expect(() =>
      new ClientHandshake(fixedKey(1)).handleFrame(
        encodeHandshakeFrame({ type: 'serverDeniesAuth', reason: 'nope' }),
      ),
    ).toThrow(expect.objectContaining({ code: 'ServerDeniedAuth', reason: 'nope' }));
    const hs = new ClientHandshake(fixedKey(1));
    const challenge = encodeHandshakeFrame({ type: 'serverChallenge', challenge: new Uint8Array(16) });
    hs.handleFrame(challenge);
    expect(() => hs.handleFrame(challenge)).toThrow(expect.objectContaining({ code: 'UnexpectedFrameType' }));
    expect(() =>
      new ClientHandshake(fixedKey(1)).handleFrame(Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0, 0)),
    ).toThrow(expect.objectContaining({ code: 'UnexpectedFrameType' }));
  });
});

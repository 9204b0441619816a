import { describe, expect, test } from 'vitest';
import {
  createKeyMaterialClientAuth,
  encodeClientAuthHeader,
  encodeHandshakeFrame,
  signChallenge,
} from '../../src/index.js';
import { EndpointMap } from '../../src/server/endpoint-map.js';
import { ServerHandshake } from '../../src/server/server-handshake.js';
import { TokenBucket } from '../../src/server/token-bucket.js';
import { checkRelayUpgrade } from '../../src/server/upgrade.js';
import { fixedKey } from '../support/keys.js';

describe('TokenBucket', () => {
  test('starts full, refills per 100 ms period, and says when reading may resume', () => {
    const b = new TokenBucket(1000, 10_000, 0);
    expect(b.consume(999, 0)).toBe(0);
    // Fill hits 0: wait one refill period (1000 B per 100 ms).
    expect(b.consume(1, 50)).toBe(100);
    expect(b.fill).toBe(0);
    expect(b.consume(500, 100)).toBe(0);
    // 500 left, 2500 taken: 2000 missing, so three more periods (refill 1000 each) from t=100.
    expect(b.consume(2500, 150)).toBe(400);
    expect(b.fill).toBe(-2000);
    expect(b.consume(0, 350)).toBe(400);
    expect(b.consume(0, 400)).toBe(0);
    expect(b.fill).toBe(1000);
  });

  test('never overfills and rejects useless configurations', () => {
    const b = new TokenBucket(100, 10_000, 0);
    b.consume(0, 10_000);
    expect(b.fill).toBe(100);
    expect(() => new TokenBucket(0, 100, 0)).toThrow(expect.objectContaining({ code: 'InvalidConfig' }));
    expect(() => new TokenBucket(100, 9, 0)).toThrow(expect.objectContaining({ code: 'InvalidConfig' }));
  });
});

describe('EndpointMap', () => {
  test('finds keys at an offset inside a frame, replaces and deletes', () => {
    const map = new EndpointMap<string>(12345);
    const keys = [1, 2, 3].map((b) => fixedKey(b).public().toBytes());
    for (const [i, k] of keys.entries()) map.set(k, `v${i}`);
    expect(map.size).toBe(3);
    const frame = new Uint8Array(40);
    frame.set(keys[1]!, 1);
    expect(map.get(frame, 1)).toBe('v1');
    map.set(keys[1]!, 'w');
    expect(map.get(keys[1]!)).toBe('w');
    expect(map.size).toBe(3);
    expect(map.delete(keys[1]!)).toBe(true);
    expect(map.delete(keys[1]!)).toBe(false);
    expect(map.get(frame, 1)).toBeUndefined();
    expect([...map.values()].sort()).toEqual(['v0', 'v2']);
  });

  test('colliding buckets keep every entry', () => {
    // Keys that differ only after the 16 hashed bytes share a bucket.
    const map = new EndpointMap<number>(1);
    const keys = Array.from({ length: 50 }, (_, i) => {
      const k = new Uint8Array(32);
      k[31] = i;
      return k;
    });
    for (const [i, k] of keys.entries()) map.set(k, i);
    expect(map.size).toBe(50);
    for (const [i, k] of keys.entries()) expect(map.get(k)).toBe(i);
    for (let i = 0; i < 50; i += 2) map.delete(keys[i]!);
    for (const [i, k] of keys.entries()) expect(map.get(k)).toBe(i % 2 === 0 ? undefined : i);
  });
});

describe('upgrade checks', () => {
  const ok = {
    upgrade: 'websocket',
    'sec-websocket-key': 'x',
    'sec-websocket-version': '13',
    'sec-websocket-protocol': 'iroh-relay-v1, iroh-relay-v2',
  };

  test('accepts iroh requests and picks v2', () => {
    expect(checkRelayUpgrade(ok)).toEqual({ ok: true, version: 'iroh-relay-v2' });
  });

  test('rejects each missing or wrong header with 400', () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ upgrade: undefined }, 'missing header: upgrade'],
      [{ upgrade: 'WebSocket' }, 'value must be websocket'],
      [{ 'sec-websocket-key': undefined }, 'sec-websocket-key'],
      [{ 'sec-websocket-version': undefined }, 'sec-websocket-version'],
      [{ 'sec-websocket-version': '8' }, 'only supporting 13'],
      [{ 'sec-websocket-protocol': undefined }, 'sec-websocket-protocol'],
      [{ 'sec-websocket-protocol': 'foo' }, 'you only provide foo'],
    ];
    for (const [patch, text] of cases) {
      const res = checkRelayUpgrade({ ...ok, ...patch });
      if (res.ok) throw new Error('expected failure');
      expect(res.status).toBe(400);
      expect(res.body).toContain(text);
    }
  });
});

describe('ServerHandshake', () => {
  const random = (n: number) => new Uint8Array(n).fill(9);

  test('challenge, then authenticated by a valid ClientAuth', () => {
    const hs = new ServerHandshake(random);
    const start = hs.start(undefined, undefined);
    if (start.kind !== 'send') throw new Error('kind');
    expect(start.frame[0]).toBe(0);
    const step = hs.handleFrame(encodeHandshakeFrame(signChallenge(fixedKey(1), start.frame.subarray(1))));
    expect(step.kind).toBe('authenticated');
    if (step.kind === 'authenticated') expect(step.mechanism).toBe('signedChallenge');
  });

  test('a signature over another challenge is denied with "signature invalid"', () => {
    const hs = new ServerHandshake(random);
    hs.start(undefined, undefined);
    const step = hs.handleFrame(encodeHandshakeFrame(signChallenge(fixedKey(1), new Uint8Array(16))));
    expect(step.kind).toBe('denied');
    if (step.kind === 'denied') expect(step.reason).toBe('signature invalid');
  });

  test('a matching keying-material header authenticates without a challenge; no TLS falls back', () => {
    const exporter = () => new Uint8Array(32).fill(3);
    const header = encodeClientAuthHeader(createKeyMaterialClientAuth(fixedKey(1), exporter)!);
    const fast = new ServerHandshake(random).start(header, exporter);
    expect(fast.kind).toBe('authenticated');
    if (fast.kind === 'authenticated') expect(fast.mechanism).toBe('signedKeyMaterial');
    expect(new ServerHandshake(random).start(header, undefined).kind).toBe('send');
    expect(new ServerHandshake(random).start(header, () => new Uint8Array(32)).kind).toBe('send');
    expect(() => new ServerHandshake(random).start('%%%', exporter)).toThrow(
      expect.objectContaining({ code: 'ClientAuthHeaderInvalid' }),
    );
  });

  test('frames before start or other frame types are errors', () => {
    expect(() => new ServerHandshake(random).handleFrame(Uint8Array.of(1))).toThrow(
      expect.objectContaining({ code: 'UnexpectedFrameType' }),
    );
    const hs = new ServerHandshake(random);
    hs.start(undefined, undefined);
    expect(() => hs.handleFrame(Uint8Array.of(9, 1, 2, 3, 4, 5, 6, 7, 8))).toThrow(
      expect.objectContaining({ code: 'UnexpectedFrameType' }),
    );
  });
});

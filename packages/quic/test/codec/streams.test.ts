import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/proto/streams/streams.js';
import { Streams } from '../../src/proto/streams/streams.js';
import { TransportError } from '../../src/proto/transport-error.js';

const local = {
  maxBidi: 2,
  maxUni: 2,
  streamWindow: 100,
  maxStreamWindow: 100,
  connectionWindow: 150,
  maxConnectionWindow: 150,
};
const peer = { maxBidi: 2, maxUni: 2, bidiLocal: 100, bidiRemote: 100, uni: 100, maxData: 1000 };

function drain(s: Streams): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let e = s.pollEvent(); e; e = s.pollEvent()) out.push(e);
  return out;
}

describe('Streams', () => {
  it('a FIN arriving after all data was read still signals readable (end of stream)', () => {
    const s = new Streams('server', local, peer);
    s.onFrame({ type: 'stream', streamId: 0, offset: 0, fin: false, data: Uint8Array.of(7) });
    expect(drain(s)).toEqual([
      { type: 'opened', dir: 'bi' },
      { type: 'readable', id: 0 },
    ]);
    expect(s.read(0)).toMatchObject({ kind: 'data' });
    expect(s.read(0)).toEqual({ kind: 'blocked' });
    s.onFrame({ type: 'stream', streamId: 0, offset: 1, fin: true, data: new Uint8Array(0) });
    expect(drain(s)).toEqual([{ type: 'readable', id: 0 }]);
    expect(s.read(0)).toEqual({ kind: 'fin' });
  });

  it('enforces stream and connection flow control, final sizes and stream limits', () => {
    const s = new Streams('server', local, peer);
    expect(() =>
      s.onFrame({ type: 'stream', streamId: 0, offset: 90, fin: false, data: new Uint8Array(11) }),
    ).toThrow(TransportError);
    const t = new Streams('server', local, peer);
    t.onFrame({ type: 'stream', streamId: 0, offset: 0, fin: false, data: new Uint8Array(100) });
    expect(() =>
      t.onFrame({ type: 'stream', streamId: 4, offset: 0, fin: false, data: new Uint8Array(60) }),
    ).toThrow(/MAX_DATA/);
    const u = new Streams('server', local, peer);
    u.onFrame({ type: 'stream', streamId: 0, offset: 0, fin: true, data: new Uint8Array(5) });
    expect(() =>
      u.onFrame({ type: 'stream', streamId: 0, offset: 5, fin: false, data: new Uint8Array(1) }),
    ).toThrow(/final size/);
    // Peer-initiated bidi stream index 2 exceeds our limit of 2.
    expect(() =>
      u.onFrame({ type: 'stream', streamId: 8, offset: 0, fin: false, data: new Uint8Array(1) }),
    ).toThrow(/MAX_STREAMS/);
    // A client-initiated (by us) stream that we never opened.
    const c = new Streams('client', local, peer);
    expect(() =>
      c.onFrame({ type: 'stream', streamId: 0, offset: 0, fin: false, data: new Uint8Array(1) }),
    ).toThrow(/not opened/);
  });

  it('RESET_STREAM surfaces as a reset read and releases the connection window', () => {
    const s = new Streams('server', local, peer);
    s.onFrame({ type: 'stream', streamId: 0, offset: 0, fin: false, data: new Uint8Array(40) });
    s.onFrame({ type: 'resetStream', streamId: 0, errorCode: 9n, finalSize: 100 });
    expect(s.read(0)).toEqual({ kind: 'reset', errorCode: 9n });
    // All 100 bytes count as consumed: the peer may now send 150 more on another stream.
    const frames: import('../../src/proto/frame.js').Frame[] = [];
    s.pollControlFrames(0, 10, frames);
    expect(frames).toContainEqual({ type: 'maxData', maximum: 250 });
  });
});

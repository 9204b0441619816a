import { TransportAddr } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import {
  addJitter,
  DNS_STAGGERING_MS,
  DnsAddressLookup,
  type DnsLookupError,
  type DnsTransport,
  EndpointInfo,
  type FetchFn,
  PkarrClientError,
  PkarrPublisher,
  PkarrRelayClient,
  parseMessage,
  SignedPacket,
  staggerCall,
  TimestampSource,
} from '../src/index.js';
import { FakeTimers, flushMicrotasks } from './fake-timers.js';
import { keyFrom } from './helpers.js';

const secret = keyFrom(51);
const relay = TransportAddr.relay('https://relay.example./');

/** A fake relay: records PUT bodies and answers with scripted statuses. */
function fakeRelay(statuses: number[] = []) {
  const puts: { url: string; packet: SignedPacket }[] = [];
  const fetch: FetchFn = async (url, init) => {
    const body = new Uint8Array(init!.body as Uint8Array);
    puts.push({ url, packet: SignedPacket.fromRelayPayload(secret.public(), body) });
    return new Response(null, { status: statuses.shift() ?? 204 });
  };
  return { puts, fetch };
}

describe('PkarrPublisher', () => {
  it('publishes on change, republishes every 5 minutes, and not when nothing changed', async () => {
    const timers = new FakeTimers();
    const { puts, fetch } = fakeRelay();
    const p = new PkarrPublisher({
      relayUrl: 'https://dns.example/pkarr/',
      secretKey: secret,
      fetch,
      timers,
    });
    p.update(new EndpointInfo(secret.public(), [relay]));
    await timers.advance(0);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.url).toBe(`https://dns.example/pkarr/${secret.public().toZ32()}`);
    p.update(new EndpointInfo(secret.public(), [relay]));
    await timers.advance(0);
    expect(puts).toHaveLength(1);
    expect(timers.pendingDelays).toEqual([300_000]);
    await timers.advance(299_999);
    expect(puts).toHaveLength(1);
    await timers.advance(1);
    expect(puts).toHaveLength(2);
    p.update(new EndpointInfo(secret.public(), [TransportAddr.relay('https://other.example./')]));
    await timers.advance(0);
    expect(puts).toHaveLength(3);
    const ts = puts.map((x) => x.packet.timestamp);
    expect(ts[1]! > ts[0]! && ts[2]! > ts[1]!).toBe(true);
    p.close();
    expect(timers.pendingDelays).toEqual([]);
  });

  it('retries after n seconds on the n-th failure, then back to the interval', async () => {
    const timers = new FakeTimers();
    const { puts, fetch } = fakeRelay([500, 429, 503]);
    const results: (string | undefined)[] = [];
    const p = new PkarrPublisher({
      relayUrl: 'https://dns.example/pkarr',
      secretKey: secret,
      fetch,
      timers,
      onResult: (e) => results.push(e?.code),
    });
    p.update(new EndpointInfo(secret.public(), [relay]));
    await timers.advance(0);
    expect(timers.pendingDelays).toEqual([1000]);
    await timers.advance(1000);
    expect(timers.pendingDelays).toEqual([2000]);
    await timers.advance(2000);
    expect(timers.pendingDelays).toEqual([3000]);
    expect(p.failures).toBe(3);
    await timers.advance(3000);
    expect(p.failures).toBe(0);
    expect(timers.pendingDelays).toEqual([300_000]);
    expect(puts).toHaveLength(4);
    expect(results).toEqual(['HttpStatus', 'HttpStatus', 'HttpStatus', undefined]);
    p.close();
  });

  it('filters to relay URLs by default and never reuses a timestamp', async () => {
    const timers = new FakeTimers();
    const { puts, fetch } = fakeRelay();
    const ts = new TimestampSource(() => 777n);
    const p = new PkarrPublisher({
      relayUrl: 'https://d/pkarr',
      secretKey: secret,
      fetch,
      timers,
      timestampSource: ts,
    });
    p.update(new EndpointInfo(secret.public(), [relay, TransportAddr.ip('1.2.3.4:5')]));
    await timers.advance(0);
    await timers.advance(300_000);
    expect(EndpointInfo.fromSignedPacket(puts[0]!.packet).addrs).toEqual([relay]);
    expect(puts.map((x) => x.packet.timestamp)).toEqual([777n, 778n]);
    p.close();
  });

  it('sends a change made during a publish right after it, without overlapping', async () => {
    const timers = new FakeTimers();
    let inFlight = 0;
    let maxInFlight = 0;
    const bodies: SignedPacket[] = [];
    let release: (() => void) | undefined;
    const fetch: FetchFn = async (_url, init) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      bodies.push(SignedPacket.fromRelayPayload(secret.public(), new Uint8Array(init!.body as Uint8Array)));
      await new Promise<void>((r) => {
        release = r;
      });
      inFlight--;
      return new Response(null, { status: 204 });
    };
    const p = new PkarrPublisher({ relayUrl: 'https://d/pkarr', secretKey: secret, fetch, timers });
    p.update(new EndpointInfo(secret.public(), [relay]));
    await flushMicrotasks();
    p.update(new EndpointInfo(secret.public(), [TransportAddr.relay('https://b./')]));
    await flushMicrotasks();
    expect(bodies).toHaveLength(1);
    release!();
    await flushMicrotasks();
    expect(bodies).toHaveLength(2);
    release!();
    await p.flush();
    expect(maxInFlight).toBe(1);
    expect(EndpointInfo.fromSignedPacket(bodies[1]!).relayUrls().map(String)).toEqual(['https://b./']);
    p.close();
  });
});

describe('PkarrRelayClient', () => {
  it('rejects non-http URLs and maps failures to typed errors', async () => {
    expect(() => new PkarrRelayClient('ftp://x/pkarr')).toThrow(PkarrClientError);
    const failing = new PkarrRelayClient('https://x/pkarr', {
      fetch: async () => {
        throw new TypeError('network down');
      },
    });
    const e = await failing.resolve(secret.public()).catch((x: unknown) => x);
    expect((e as PkarrClientError).code).toBe('HttpSend');
    const garbage = new PkarrRelayClient('https://x/pkarr', {
      fetch: async () => new Response(new Uint8Array(200)),
    });
    expect(((await garbage.resolve(secret.public()).catch((x: unknown) => x)) as PkarrClientError).code).toBe(
      'Verify',
    );
  });
});

describe('staggering', () => {
  it('jitters by ±20% and keeps 0 at 0', () => {
    expect(addJitter(0, () => 0.5)).toBe(0);
    expect(addJitter(1000, () => 0)).toBe(800);
    expect(addJitter(1000, () => 0.9999)).toBe(1199);
    expect(addJitter(200, () => 0.5)).toBe(200);
  });

  it('starts attempts at 0, 200, 300, 600, 1000, 2000, 3000 ms; the first success wins and cancels the rest', async () => {
    const timers = new FakeTimers();
    const started: number[] = [];
    const p = staggerCall(
      async (signal) => {
        started.push(timers.now);
        if (started.length < 3) throw new Error(`fail ${started.length}`);
        expect(signal.aborted).toBe(false);
        return started.length;
      },
      DNS_STAGGERING_MS,
      { timers, random: () => 0.5 },
    );
    await timers.advance(5000);
    expect(await p).toBe(3);
    expect(started).toEqual([0, 200, 300]);
    expect(timers.pendingDelays).toEqual([]);
  });

  it('reports every error when all attempts fail', async () => {
    const timers = new FakeTimers();
    const p = staggerCall(async () => Promise.reject(new Error('x')), [200, 300], {
      timers,
      random: () => 0.5,
    });
    const caught = p.catch((e: unknown) => e);
    await timers.advance(1000);
    const e = (await caught) as DnsLookupError;
    expect(e.code).toBe('AllAttemptsFailed');
    expect(e.errors).toHaveLength(3);
  });
});

describe('DnsAddressLookup', () => {
  it('times out an attempt after 3 s and tries the next staggered one', async () => {
    const timers = new FakeTimers();
    const info = new EndpointInfo(secret.public(), [relay]);
    let calls = 0;
    const transport: DnsTransport = {
      query: (_q, signal) => {
        calls++;
        if (calls === 1) {
          return new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('aborted'))),
          );
        }
        return Promise.reject(new Error('unreachable'));
      },
    };
    const lookup = new DnsAddressLookup({
      origin: 'dns.example',
      transport,
      staggeringMs: [],
      timers,
      random: () => 0,
    });
    const result = lookup.resolve(info.endpointId).catch((e: unknown) => e);
    await timers.advance(2999);
    expect(calls).toBe(1);
    await timers.advance(1);
    const e = (await result) as DnsLookupError;
    expect((e.errors[0] as DnsLookupError).code).toBe('Timeout');
  });

  it('checks the response ID and ignores TXT records of other names', async () => {
    const timers = new FakeTimers();
    const name = `_iroh.${secret.public().toZ32()}.dns.example.`;
    const { buildMessage, parseName } = await import('../src/index.js');
    const reply = (id: number, relayText: string) =>
      buildMessage({
        id,
        flags: 0x8400,
        questions: [{ name: parseName(name), type: 16, class: 1 }],
        answers: [
          {
            name: parseName(name),
            type: 16,
            class: 1,
            ttl: 30,
            data: { kind: 'TXT', strings: [new TextEncoder().encode(relayText)] },
          },
          {
            name: parseName('other.example.'),
            type: 16,
            class: 1,
            ttl: 30,
            data: { kind: 'TXT', strings: [new TextEncoder().encode('foo=bar')] },
          },
        ],
        authorities: [],
        additionals: [],
      });
    let wrongId = true;
    const transport: DnsTransport = {
      query: async (q) => {
        const id = parseMessage(q).id;
        const r = wrongId ? reply(id ^ 1, 'relay=https://wrong./') : reply(id, 'relay=https://a./');
        wrongId = false;
        return r;
      },
    };
    const lookup = new DnsAddressLookup({ origin: 'dns.example.', transport, timers, staggeringMs: [200] });
    const p = lookup.resolve(secret.public());
    await timers.advance(1000);
    const info = await p;
    expect(info.relayUrls().map(String)).toEqual(['https://a./']);
  });
});

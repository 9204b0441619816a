import { TransportAddr } from '@iroh-ts/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  base64UrlEncode,
  buildMessage,
  EndpointInfo,
  parseMessage,
  parseName,
  SignedPacket,
  signable,
} from '../src/index.js';
import { PkarrServer } from '../src/server/index.js';
import { keyFrom } from './helpers.js';

const secret = keyFrom(21);
const z32 = secret.public().toZ32();
const info = new EndpointInfo(secret.public(), [TransportAddr.relay('https://relay.example./')]);
let server: PkarrServer;
let base: string;
let clock = 1_000_000;

beforeAll(async () => {
  server = await PkarrServer.start({
    http: { port: 0, host: '127.0.0.1', rateLimit: 'smart', now: () => clock },
    dns: false,
    eviction: false,
  });
  base = server.httpUrl!;
});
afterAll(() => server.stop());

/** Each test uses its own client IP so the rate limiter does not interfere. */
let ipCounter = 1;
const put = (key: string, body: Uint8Array, ip = `10.0.0.${ipCounter++}`) =>
  fetch(`${base}pkarr/${key}`, { method: 'PUT', body, headers: { 'x-forwarded-for': ip } });

describe('pkarr relay HTTP API', () => {
  it('PUT 204 then GET 200 with the relay form', async () => {
    const packet = info.toSignedPacket(secret, 30, { timestamp: 100n });
    const r = await put(z32, packet.relayPayload);
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const g = await fetch(`${base}pkarr/${z32}`);
    expect(g.status).toBe(200);
    expect(g.headers.get('content-type')).toBe('application/x-pkarr-signed-packet');
    expect(new Uint8Array(await g.arrayBuffer())).toEqual(packet.relayPayload);
  });

  it('GET 404 for an unknown key and 400 for a bad key', async () => {
    expect((await fetch(`${base}pkarr/${keyFrom(22).public().toZ32()}`)).status).toBe(404);
    expect((await fetch(`${base}pkarr/notakey`)).status).toBe(400);
  });

  it('400 for every bad PUT, and nothing is stored', async () => {
    const k = keyFrom(23);
    const kz = k.public().toZ32();
    const good = new EndpointInfo(k.public(), [TransportAddr.relay('https://r./')]).toSignedPacket(k, 30, {
      timestamp: 50n,
    });
    const badSig = good.toRelayPayload();
    badSig[3]! ^= 1;
    const junkDns = new Uint8Array([0, 0, 0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0]);
    const ts = 60n;
    const junkBody = new Uint8Array(72 + junkDns.length);
    junkBody.set(k.sign(signable(ts, junkDns)).toBytes());
    new DataView(junkBody.buffer).setBigUint64(64, ts);
    junkBody.set(junkDns, 72);
    const cases: [string, Uint8Array][] = [
      [kz, badSig], // bad signature
      [keyFrom(24).public().toZ32(), good.relayPayload], // signed by another key
      [kz.slice(0, 51), good.relayPayload], // wrong key length
      [`${kz.slice(0, 51)}!`, good.relayPayload], // bad z32
      [kz, new Uint8Array(2000)], // oversize
      [kz, new Uint8Array(1073)], // one byte over 1104 with the key
      [kz, good.relayPayload.slice(0, 50)], // short
      [kz, junkBody], // validly signed, malformed DNS inside
      [kz, new Uint8Array()], // empty
    ];
    for (const [key, body] of cases) {
      const r = await put(key, body);
      expect(r.status, `PUT ${key.slice(0, 8)} with ${body.length} bytes`).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/json');
    }
    expect((await fetch(`${base}pkarr/${kz}`)).status).toBe(404);
    expect(await server.zones.getPacket(kz)).toBeUndefined();
  });

  it('an older timestamp is acknowledged (204) but never replaces the newer packet', async () => {
    const k = keyFrom(25);
    const kz = k.public().toZ32();
    const newer = new EndpointInfo(k.public(), [TransportAddr.relay('https://new./')]).toSignedPacket(k, 30, {
      timestamp: 2000n,
    });
    const older = new EndpointInfo(k.public(), [TransportAddr.relay('https://old./')]).toSignedPacket(k, 30, {
      timestamp: 1000n,
    });
    expect((await put(kz, newer.relayPayload)).status).toBe(204);
    expect((await put(kz, older.relayPayload)).status).toBe(204);
    const got = SignedPacket.fromRelayPayload(
      k.public(),
      new Uint8Array(await (await fetch(`${base}pkarr/${kz}`)).arrayBuffer()),
    );
    expect(got.timestamp).toBe(2000n);
    expect(server.metrics.pkarrPublishNoop.get()).toBeGreaterThanOrEqual(1n);
  });

  it('rate limits PUTs per client: burst of 2, then one every 4 s (429 with retry-after)', async () => {
    const body = (ts: bigint) =>
      info.withAddrs([]).toSignedPacket(secret, 30, { timestamp: ts }).relayPayload;
    const ip = '192.0.2.7';
    expect((await put(z32, body(200n), ip)).status).toBe(204);
    expect((await put(z32, body(201n), ip)).status).toBe(204);
    const limited = await put(z32, body(202n), ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('4');
    expect((await put(z32, body(203n), '192.0.2.8')).status).toBe(204); // another client is unaffected
    clock += 4000;
    expect((await put(z32, body(204n), ip)).status).toBe(204);
    expect((await put(z32, body(205n), ip)).status).toBe(429);
    expect(server.metrics.httpRateLimited.get()).toBe(2n);
    // GETs are never limited
    for (let i = 0; i < 5; i++)
      expect((await fetch(`${base}pkarr/${z32}`, { headers: { 'x-forwarded-for': ip } })).status).toBe(200);
  });

  it('serves the fixed routes and CORS preflight', async () => {
    expect(await (await fetch(base)).text()).toBe('Hi!');
    expect(await (await fetch(`${base}healthcheck`)).text()).toBe('OK');
    const hz = await fetch(`${base}healthz`);
    expect(hz.headers.get('content-type')).toBe('application/json');
    expect(((await hz.json()) as { status: string }).status).toBe('ok');
    expect((await fetch(`${base}nope`)).status).toBe(404);
    expect((await fetch(`${base}pkarr/${z32}`, { method: 'DELETE' })).status).toBe(405);
    const pre = await fetch(`${base}pkarr/${z32}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');
  });
});

describe('DoH', () => {
  const query = (name: string, type = 16) =>
    buildMessage({
      id: 0,
      flags: 0x0100,
      questions: [{ name: parseName(name), type, class: 1 }],
      answers: [],
      authorities: [],
      additionals: [],
    });

  beforeAll(async () => {
    await server.zones.insert(info.toSignedPacket(secret, 30, { timestamp: 10_000n }));
  });

  it('GET ?dns= and POST answer application/dns-message with s-maxage', async () => {
    const q = query(`_iroh.${z32}.irohdns.example.`);
    const get = await fetch(`${base}dns-query?dns=${base64UrlEncode(q)}`, {
      headers: { accept: 'application/dns-message' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/dns-message');
    expect(get.headers.get('cache-control')).toBe('s-maxage=30');
    const msg = parseMessage(new Uint8Array(await get.arrayBuffer()));
    expect(msg.answers).toHaveLength(1);
    const post = await fetch(`${base}dns-query`, {
      method: 'POST',
      body: q,
      headers: { 'content-type': 'application/dns-message' },
    });
    expect(post.status).toBe(200);
    expect(parseMessage(new Uint8Array(await post.arrayBuffer())).answers).toHaveLength(1);
  });

  it('JSON API: ?name=&type= → application/dns-json', async () => {
    const r = await fetch(`${base}dns-query?name=_iroh.${z32}.&type=txt`, {
      headers: { accept: 'application/dns-json' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/dns-json');
    const body = (await r.json()) as {
      Status: number;
      Answer: { name: string; type: number; TTL: number; data: string }[];
    };
    expect(body.Status).toBe(0);
    expect(body.Answer).toEqual([
      { name: `_iroh.${z32}.`, type: 16, TTL: 30, data: 'relay=https://relay.example./' },
    ]);
    const nx = (await (
      await fetch(`${base}dns-query?name=nothing.${z32}.&type=TXT`, {
        headers: { accept: 'application/dns-json' },
      })
    ).json()) as {
      Status: number;
      Answer?: unknown;
    };
    expect(nx.Status).toBe(3);
    expect(nx.Answer).toBeUndefined();
  });

  it('400 for bad DoH input', async () => {
    const bad = [
      `${base}dns-query?dns=***`,
      `${base}dns-query?dns=${base64UrlEncode(new Uint8Array([1, 2, 3]))}`,
      `${base}dns-query?dns=${base64UrlEncode(query('x.', 1).map((b, i) => (i === 2 ? b | 0x80 : b)))}`,
      `${base}dns-query`,
    ];
    for (const url of bad)
      expect((await fetch(url, { headers: { accept: 'application/dns-message' } })).status).toBe(400);
    const json = { accept: 'application/dns-json' };
    expect((await fetch(`${base}dns-query?type=TXT`, { headers: json })).status).toBe(400);
    expect((await fetch(`${base}dns-query?name=a.&type=NOPE`, { headers: json })).status).toBe(400);
    expect(
      (await fetch(`${base}dns-query`, { method: 'POST', body: new Uint8Array([0, 0, 0]) })).status,
    ).toBe(400);
  });
});

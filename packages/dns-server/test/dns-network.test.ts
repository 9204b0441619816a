import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { TransportAddr } from '@iroh-ts/base';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMessage,
  type DnsMessage,
  EndpointInfo,
  parseMessage,
  parseName,
  rdataToString,
} from '../src/index.js';
import { PkarrServer } from '../src/server/index.js';
import { keyFrom, mutated } from './helpers.js';

const secret = keyFrom(31);
const z32 = secret.public().toZ32();
const info = new EndpointInfo(secret.public(), [
  TransportAddr.relay('https://relay.example./'),
  TransportAddr.ip('1.2.3.4:5'),
]);
let server: PkarrServer;
let port: number;

const query = (id: number, name = `_iroh.${z32}.dns.example.`, type = 16) =>
  buildMessage({
    id,
    flags: 0x0100,
    questions: [{ name: parseName(name), type, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
  });

beforeAll(async () => {
  server = await PkarrServer.start({
    http: false,
    dns: { port: 0, host: '127.0.0.1', origins: ['dns.example.', '.'] },
    eviction: false,
  });
  port = server.dnsUdpAddr!.port;
  await server.zones.insert(info.toSignedPacket(secret, 30));
});
afterAll(() => server.stop());

/** Sends datagrams from one socket; resolves with the responses received until `waitMs` of quiet. */
function udpExchange(messages: Uint8Array[], expectId?: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const got: Uint8Array[] = [];
    socket.on('error', reject);
    socket.on('message', (m) => {
      got.push(new Uint8Array(m));
      if (expectId !== undefined && m.readUInt16BE(0) === expectId) {
        socket.close();
        resolve(got);
      }
    });
    socket.bind(0, '127.0.0.1', () => {
      for (const m of messages) socket.send(m, port, '127.0.0.1');
    });
  });
}

function tcpExchange(frames: Uint8Array[], responses: number): Promise<DnsMessage[]> {
  return new Promise((resolve, reject) => {
    const s = connect(server.dnsTcpAddr!.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: DnsMessage[] = [];
    s.on('connect', () => {
      for (const f of frames) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(f.length);
        s.write(Buffer.concat([len, f]));
      }
    });
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        out.push(parseMessage(new Uint8Array(buf.subarray(2, 2 + len))));
        buf = buf.subarray(2 + len);
      }
      if (out.length === responses) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(out));
  });
}

describe('DNS over UDP and TCP', () => {
  it('answers TXT over UDP', async () => {
    const [resp] = await udpExchange([query(7)], 7);
    const msg = parseMessage(resp!);
    expect(msg.answers.map((a) => rdataToString(a.data))).toEqual(info.toTxtStrings());
  });

  it('answers pipelined queries over TCP on one connection', async () => {
    const out = await tcpExchange([query(1), query(2), query(3, 'dns.example.', 6)], 3);
    expect(out.map((m) => m.id).sort()).toEqual([1, 2, 3]);
    expect(out.find((m) => m.id === 3)!.answers[0]!.type).toBe(6);
    expect(out.find((m) => m.id === 1)!.answers).toHaveLength(2);
  });

  it('FORMERR over TCP for junk, and keeps the connection for the next query', async () => {
    const junk = new Uint8Array([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff]);
    const out = await tcpExchange([junk, query(10)], 2);
    expect(out[0]!.id).toBe(9);
    expect(out[0]!.flags & 0xf).toBe(1);
    expect(out[1]!.answers).toHaveLength(2);
  });

  it('random and mutated datagrams get a response or silence; the server keeps answering', async () => {
    const valid = query(0x4242);
    const samples = fc.sample(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated(valid)), {
      numRuns: 300,
      seed: 7,
    });
    let i = 0;
    for (const junk of samples) {
      // A junk datagram, then a valid query from the same socket: its answer proves the server survived.
      const id = 0x8000 + i++;
      const got = await udpExchange([junk, query(id)], id);
      for (const r of got) expect(parseMessage(r, { allowTrailing: true }).flags & 0x8000).toBeTruthy();
      const last = parseMessage(got[got.length - 1]!);
      expect(last.answers).toHaveLength(2);
    }
    expect(server.metrics.dnsMalformed.get()).toBeGreaterThan(0n);
  });

  it('random TCP frames never crash the server', async () => {
    const samples = fc.sample(fc.uint8Array({ maxLength: 200 }), { numRuns: 50, seed: 11 });
    for (const s of samples) await tcpExchange([s], 1);
    const out = await tcpExchange([query(55)], 1);
    expect(out[0]!.answers).toHaveLength(2);
  });
});

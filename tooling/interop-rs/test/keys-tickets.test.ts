/**
 * Acceptance test: the Rust peer (iroh 1.x from crates.io) and `@number0/iroh` (iroh 1.x via
 * napi) agree on keys, signatures and endpoint tickets. This pins down that the peer binary
 * is a faithful stand-in for real iroh before other interop tests rely on it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EndpointAddr, EndpointId, EndpointTicket, SecretKey, Signature } from '@number0/iroh';
import { describe, expect, it } from 'vitest';
import { type JsonObject, peerSkipReason, runPeer, runPeerBatch, runPeerDetailed } from '../src/peer.js';

const skipReason = peerSkipReason();
if (skipReason !== null) {
  console.warn(`SKIP interop-rs keys-tickets: ${skipReason}`);
}

const N = 50;

const hex = (b: Uint8Array | number[]): string => Buffer.from(b).toString('hex');
const bytes = (h: string): number[] => [...Buffer.from(h, 'hex')];

function str(o: JsonObject, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`expected string field ${key} in ${JSON.stringify(o)}`);
  return v;
}

function strList(o: JsonObject, key: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw new Error(`expected string[] field ${key} in ${JSON.stringify(o)}`);
  }
  return v;
}

/** Signature verification through `@number0/iroh`, which throws on failure. */
function nodeVerifies(secretHex: string, message: number[], signature: number[]): boolean {
  const id = SecretKey.fromBytes(bytes(secretHex)).public();
  try {
    id.verify(message, Signature.fromBytes(signature));
    return true;
  } catch {
    return false;
  }
}

function tamper(sig: number[]): number[] {
  const out = [...sig];
  const i = randomInt(out.length);
  out[i] = (out[i] ?? 0) ^ (1 << randomInt(8));
  return out;
}

// --- random endpoint addresses --------------------------------------------------------------

function randomRelay(): string | null {
  switch (randomInt(6)) {
    case 0:
    case 1:
      return null;
    case 2:
      return `https://relay-${randomInt(1000)}.example.com`;
    case 3:
      return `http://relay${randomInt(100)}.test:${1024 + randomInt(60000)}/`;
    case 4:
      return `https://use1-${randomInt(9)}.relay.example.org./some/path-${randomInt(100)}`;
    default:
      return `http://127.0.0.1:${1024 + randomInt(60000)}/relay`;
  }
}

function randomIpv6(): string {
  const groups = Array.from({ length: 8 }, (_, i) =>
    i === 0 ? 0x2000 + randomInt(0x1000) : randomInt(0x10000),
  );
  // Zero a random run of groups so that `::` compression is exercised.
  if (randomInt(2) === 0) {
    const start = 1 + randomInt(6);
    const len = 1 + randomInt(7 - start);
    for (let i = start; i < start + len; i++) groups[i] = 0;
  }
  return groups.map((g) => g.toString(16)).join(':');
}

function randomSocketAddr(): string {
  const port = 1 + randomInt(65535);
  if (randomInt(2) === 0) {
    const ip = [1 + randomInt(223), randomInt(256), randomInt(256), randomInt(256)].join('.');
    return `${ip}:${port}`;
  }
  return `[${randomIpv6()}]:${port}`;
}

/** Canonical `ip:port` form (RFC 5952 for IPv6, as Rust's `SocketAddr` prints it). */
function canonicalAddr(addr: string): string {
  const url = new URL(`http://${addr}`);
  return `${url.hostname}:${url.port}`;
}

interface AddrCase {
  idHex: string;
  relay: string | null;
  addrs: string[];
}

function randomAddrCase(): AddrCase {
  const addrs = Array.from({ length: randomInt(5) }, randomSocketAddr);
  return {
    idHex: SecretKey.fromBytes([...randomBytes(32)])
      .public()
      .toString(),
    relay: randomRelay(),
    addrs: [...new Set(addrs.map(canonicalAddr))],
  };
}

const sorted = (xs: string[]): string[] => [...xs].sort();

// --------------------------------------------------------------------------------------------

describe.skipIf(skipReason !== null)('this Rust peer and @number0/iroh agree on keys and tickets', () => {
  it('derive the same endpoint id and short id from a secret key (one-shot CLI)', async () => {
    const secret = randomBytes(32);
    const [out] = await runPeer(['keys', '--secret', hex(secret), '--sign', '00ff']);
    const id = SecretKey.fromBytes([...secret]).public();
    expect(out).toBeDefined();
    if (!out) return;
    expect(str(out, 'id')).toBe(id.toString());
    expect(str(out, 'short')).toBe(id.fmtShort());
    expect(str(out, 'z32')).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/);
    expect(nodeVerifies(hex(secret), [0x00, 0xff], bytes(str(out, 'signature')))).toBe(true);
  });

  it(`derive the same ids and cross-verify signatures for ${N} random secret keys`, async () => {
    const cases = Array.from({ length: N }, () => ({
      secret: hex(randomBytes(32)),
      message: [...randomBytes(randomInt(200))],
    }));

    // 1. Peer derives ids and signs.
    const keys = await runPeerBatch(
      cases.map((c) => ({ cmd: 'keys', secret: c.secret, sign: hex(c.message) })),
    );

    const verifyReqs: JsonObject[] = [];
    const expectations: { what: string; ok: boolean }[] = [];
    cases.forEach((c, i) => {
      const out = keys[i];
      expect(out, `keys response ${i}`).toBeDefined();
      if (!out) return;
      const sk = SecretKey.fromBytes(bytes(c.secret));
      const id = sk.public();
      expect(str(out, 'secret')).toBe(c.secret);
      expect(str(out, 'id')).toBe(id.toString());
      expect(str(out, 'short')).toBe(id.fmtShort());

      // 2. The peer's signature verifies in @number0/iroh; ed25519 is deterministic, so the
      //    signatures are byte-identical too.
      const peerSig = bytes(str(out, 'signature'));
      const nodeSig = sk.sign(c.message).toBytes();
      expect(hex(peerSig)).toBe(hex(nodeSig));
      expect(nodeVerifies(c.secret, c.message, peerSig)).toBe(true);

      // 3. A tampered signature / message fails in @number0/iroh ...
      const bad = tamper(peerSig);
      expect(nodeVerifies(c.secret, c.message, bad)).toBe(false);
      expect(nodeVerifies(c.secret, [...c.message, 1], peerSig)).toBe(false);

      // ... and in the peer, which must accept @number0/iroh's good signature.
      verifyReqs.push({ cmd: 'verify', id: id.toString(), message: hex(c.message), signature: hex(nodeSig) });
      expectations.push({ what: `node signature ${i}`, ok: true });
      verifyReqs.push({
        cmd: 'verify',
        id: id.toString(),
        message: hex(c.message),
        signature: hex(tamper(nodeSig)),
      });
      expectations.push({ what: `tampered signature ${i}`, ok: false });
      verifyReqs.push({
        cmd: 'verify',
        id: id.toString(),
        message: hex([...c.message, 1]),
        signature: hex(nodeSig),
      });
      expectations.push({ what: `tampered message ${i}`, ok: false });
    });

    const verified = await runPeerBatch(verifyReqs);
    verified.forEach((v, i) => {
      expect(v.ok, expectations[i]?.what).toBe(expectations[i]?.ok);
    });
  });

  it(`encode and decode identical tickets for ${N} random endpoint addresses`, async () => {
    const cases = Array.from({ length: N }, randomAddrCase);
    // Always include the edge cases.
    cases.push({ idHex: cases[0]?.idHex ?? '', relay: null, addrs: [] });
    cases.push({ idHex: cases[1]?.idHex ?? '', relay: 'https://relay.example.com', addrs: [] });

    const nodeTickets = cases.map((c) =>
      EndpointTicket.fromAddr(
        new EndpointAddr(EndpointId.fromBytes(bytes(c.idHex)), c.relay, c.addrs),
      ).toString(),
    );

    const requests: JsonObject[] = [];
    cases.forEach((c, i) => {
      requests.push({ cmd: 'ticket-decode', ticket: nodeTickets[i] ?? '' });
      requests.push({ cmd: 'ticket-encode', id: c.idHex, relays: c.relay ? [c.relay] : [], addrs: c.addrs });
    });
    const responses = await runPeerBatch(requests);

    cases.forEach((c, i) => {
      const ctx = `case ${i}: ${JSON.stringify(c)}`;
      const decoded = responses[2 * i];
      const encoded = responses[2 * i + 1];
      expect(decoded, ctx).toBeDefined();
      expect(encoded, ctx).toBeDefined();
      if (!decoded || !encoded) return;
      expect(decoded.error, ctx).toBeUndefined();
      expect(encoded.error, ctx).toBeUndefined();

      const expectedRelays = c.relay ? [new URL(c.relay).href] : [];

      // @number0/iroh ticket -> peer: same id, relay and addrs; re-encodes identically.
      expect(str(decoded, 'id'), ctx).toBe(c.idHex);
      expect(strList(decoded, 'relays'), ctx).toEqual(expectedRelays);
      expect(sorted(strList(decoded, 'addrs')), ctx).toEqual(sorted(c.addrs));
      expect(str(decoded, 'reencoded'), ctx).toBe(nodeTickets[i]);

      // peer ticket -> identical string, and parses in @number0/iroh to the same address.
      const peerTicket = str(encoded, 'ticket');
      expect(peerTicket, ctx).toBe(nodeTickets[i]);
      const parsed = EndpointTicket.fromString(peerTicket).endpointAddr();
      expect(parsed.id().toString(), ctx).toBe(c.idHex);
      expect(parsed.relayUrl() ?? null, ctx).toBe(expectedRelays[0] ?? null);
      expect(sorted(parsed.directAddresses()), ctx).toEqual(sorted(c.addrs));
    });
  });

  it('reports unparsable tickets with exit code 2', async () => {
    const res = await runPeerDetailed(['ticket-decode', 'endpointnotaticket']);
    expect(res.code).toBe(2);
    expect(res.events).toHaveLength(1);
    expect(typeof res.events[0]?.error).toBe('string');
  });
});

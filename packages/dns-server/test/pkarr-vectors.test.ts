import { PublicKey, SecretKey } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import {
  EndpointInfo,
  parseMessage,
  SignedPacket,
  SignedPacketError,
  signable,
  TimestampSource,
  txtToString,
} from '../src/index.js';
import vector from './fixtures/pkarr-constructed.json' with { type: 'json' };
import { hex, toHex } from './helpers.js';

const secret = SecretKey.fromBytes(hex(vector.secret_key_hex));
const timestamp = BigInt(vector.timestamp_micros);

describe('pkarr_constructed vector', () => {
  it('builds the DNS packet, signature and full packet byte for byte', () => {
    const packet = SignedPacket.fromTxtStrings(secret, '_iroh', vector.txt_strings, vector.ttl, {
      timestamp,
    });
    expect(toHex(packet.encodedPacket)).toBe(vector.dns_packet_hex);
    expect(packet.signature.toString()).toBe(vector.signature_hex);
    expect(toHex(packet.bytes)).toBe(vector.full_signed_packet_hex);
    expect(toHex(packet.relayPayload)).toBe(vector.http_put_body_hex);
    expect(packet.z32).toBe(vector.z32);
    expect(`/pkarr/${packet.z32}`).toBe(vector.http_put_path);
  });

  it('signs the BEP-44 form', () => {
    const dns = hex(vector.dns_packet_hex);
    const text = new TextDecoder().decode(
      signable(timestamp, dns).subarray(0, vector.signable_prefix_ascii.length),
    );
    expect(text).toBe(vector.signable_prefix_ascii);
  });

  it('the DNS packet is a reply with ID 0, flags 0x8000, two answers and a 0xC00C pointer', () => {
    const msg = parseMessage(hex(vector.dns_packet_hex));
    expect(msg.id).toBe(0);
    expect(msg.flags).toBe(0x8000);
    expect(msg.questions).toHaveLength(0);
    expect(msg.answers.map((a) => (a.data.kind === 'TXT' ? txtToString(a.data.strings) : ''))).toEqual(
      vector.txt_strings,
    );
    expect(vector.dns_packet_hex).toContain('c00c0010');
  });

  it('parses and verifies the full packet and the relay body', () => {
    const full = SignedPacket.fromBytes(hex(vector.full_signed_packet_hex));
    expect(full.timestamp).toBe(timestamp);
    expect(full.publicKey.equals(secret.public())).toBe(true);
    const relay = SignedPacket.fromRelayPayload(PublicKey.fromZ32(vector.z32), hex(vector.http_put_body_hex));
    expect(relay.equals(full)).toBe(true);
    const info = EndpointInfo.fromSignedPacket(full);
    expect(info.relayUrls().map(String)).toEqual(['https://euc1-1.relay.n0.iroh.link./']);
    expect(info.ipAddrs().map(String)).toEqual(['1.2.3.4:5678']);
    expect(info.toTxtStrings()).toEqual(vector.txt_strings);
  });

  it('EndpointInfo.toSignedPacket reproduces the vector', () => {
    const info = EndpointInfo.fromTxtStrings(secret.public(), vector.txt_strings);
    const packet = info.toSignedPacket(secret, vector.ttl, { timestamp });
    expect(toHex(packet.bytes)).toBe(vector.full_signed_packet_hex);
  });
});

describe('SignedPacket verification', () => {
  const good = hex(vector.full_signed_packet_hex);
  const codeOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(SignedPacketError);
      return (e as SignedPacketError).code;
    }
    return 'ok';
  };

  it('rejects a flipped signature bit, timestamp or DNS byte', () => {
    for (const at of [40, 100, good.length - 1]) {
      const bad = good.slice();
      bad[at]! ^= 1;
      expect(codeOf(() => SignedPacket.fromBytes(bad))).toBe('InvalidSignature');
    }
  });

  it('rejects short, oversized and invalid-key input', () => {
    expect(codeOf(() => SignedPacket.fromBytes(good.slice(0, 103)))).toBe('TooShort');
    expect(codeOf(() => SignedPacket.fromBytes(new Uint8Array(1105)))).toBe('TooLarge');
    const badKey = good.slice();
    badKey.set(hex('02'.padEnd(64, '0')), 0); // y = 2 is not on the curve
    expect(codeOf(() => SignedPacket.fromBytes(badKey))).toBe('InvalidKey');
  });

  it('rejects a validly signed packet whose DNS does not parse', () => {
    const junkDns = new Uint8Array([0, 0, 0x80, 0, 0, 0, 0, 5, 0, 0, 0, 0]);
    const ts = 5n;
    const sig = secret.sign(signable(ts, junkDns)).toBytes();
    const bytes = new Uint8Array(104 + junkDns.length);
    bytes.set(secret.public().toBytes());
    bytes.set(sig, 32);
    new DataView(bytes.buffer).setBigUint64(96, ts);
    bytes.set(junkDns, 104);
    expect(codeOf(() => SignedPacket.fromBytes(bytes))).toBe('InvalidDns');
    expect(codeOf(() => SignedPacket.fromBytesUnchecked(bytes))).toBe('InvalidDns');
  });

  it('refuses to build more than 1000 bytes of DNS', () => {
    const values = Array.from({ length: 8 }, (_, i) => `addr=${'x'.repeat(120)}${i}`);
    expect(codeOf(() => SignedPacket.fromTxtStrings(secret, '_iroh', values, 30))).toBe('TooLarge');
  });
});

describe('more recent than', () => {
  it('prefers the larger timestamp, then the greater DNS bytes', () => {
    const a = SignedPacket.fromTxtStrings(secret, '_iroh', ['relay=https://a./'], 30, { timestamp: 10n });
    const b = SignedPacket.fromTxtStrings(secret, '_iroh', ['relay=https://a./'], 30, { timestamp: 11n });
    const c = SignedPacket.fromTxtStrings(secret, '_iroh', ['relay=https://b./'], 30, { timestamp: 11n });
    expect(b.moreRecentThan(a)).toBe(true);
    expect(a.moreRecentThan(b)).toBe(false);
    expect(c.moreRecentThan(b)).toBe(true);
    expect(b.moreRecentThan(c)).toBe(false);
    expect(b.moreRecentThan(b)).toBe(false);
  });
});

describe('TimestampSource', () => {
  it('is strictly increasing even when the clock stalls or goes back', () => {
    let now = 1000n;
    const src = new TimestampSource(() => now);
    expect(src.now()).toBe(1000n);
    expect(src.now()).toBe(1001n);
    now = 500n;
    expect(src.now()).toBe(1002n);
    now = 5000n;
    expect(src.now()).toBe(5000n);
    src.observe(9000n);
    expect(src.now()).toBe(9001n);
  });

  it('signing without a timestamp uses the monotonic source', () => {
    const src = new TimestampSource(() => 42n);
    const a = SignedPacket.fromTxtStrings(secret, '_iroh', [], 30, { timestampSource: src });
    const b = SignedPacket.fromTxtStrings(secret, '_iroh', [], 30, { timestampSource: src });
    expect(a.timestamp).toBe(42n);
    expect(b.timestamp).toBe(43n);
  });
});

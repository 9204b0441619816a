import { blake3 } from '@noble/hashes/blake3.js';
import { describe, expect, test } from 'vitest';
import {
  base64UrlDecode,
  base64UrlEncode,
  createKeyMaterialClientAuth,
  decodeClientAuthHeader,
  decodeHandshakeFrame,
  encodeClientAuthHeader,
  encodeHandshakeFrame,
  type KeyingMaterialExporter,
  negotiateProtocolVersion,
  PingTracker,
  PROTOCOL_V1,
  PROTOCOL_V2,
  protocolVersionNumber,
  signChallenge,
  TLS_EXPORT_LABEL,
  verifyChallengeSignature,
  verifyKeyMaterialClientAuth,
} from '../../src/index.js';
import { fixedKey } from '../support/keys.js';

const code = (c: string) => expect.objectContaining({ code: c });

/** A stand-in for a TLS exporter: a keyed hash of a per-session secret, the label and the context. */
function fakeExporter(session: number): KeyingMaterialExporter {
  return (length, label, context) => {
    const input = new Uint8Array([session, ...new TextEncoder().encode(label), ...context]);
    return blake3(input, { dkLen: length });
  };
}

describe('challenge handshake', () => {
  test('a signed challenge verifies only for its own challenge and key', () => {
    const secret = fixedKey(7);
    const challenge = new Uint8Array(16).fill(3);
    const auth = signChallenge(secret, challenge);
    const decoded = decodeHandshakeFrame(encodeHandshakeFrame(auth), ['clientAuth']);
    if (decoded.type !== 'clientAuth') throw new Error('type');
    expect(verifyChallengeSignature(decoded.publicKey, decoded.signature, challenge)).toBe(true);
    expect(verifyChallengeSignature(decoded.publicKey, decoded.signature, new Uint8Array(16))).toBe(false);
    expect(verifyChallengeSignature(fixedKey(8).public(), decoded.signature, challenge)).toBe(false);
  });

  test('ClientAuth payloads with a wrong signature length or a non-point key fail to deserialize', () => {
    const frame = encodeHandshakeFrame(signChallenge(fixedKey(1), new Uint8Array(16)));
    const shortSig = frame.slice();
    shortSig[33] = 63;
    expect(() => decodeHandshakeFrame(shortSig, ['clientAuth'])).toThrow(code('DeserializationError'));
    const badKey = frame.slice();
    badKey.fill(0, 1, 33);
    badKey[1] = 2;
    expect(() => decodeHandshakeFrame(badKey, ['clientAuth'])).toThrow(code('DeserializationError'));
    expect(() => decodeHandshakeFrame(frame.subarray(0, 50), ['clientAuth'])).toThrow(
      code('DeserializationError'),
    );
  });

  test('frame kind checks: unexpected, unknown, and trailing bytes tolerated', () => {
    expect(() => decodeHandshakeFrame(Uint8Array.of(9, 1, 2, 3, 4, 5, 6, 7, 8), ['clientAuth'])).toThrow(
      code('UnexpectedFrameType'),
    );
    expect(() => decodeHandshakeFrame(Uint8Array.of(40), ['clientAuth'])).toThrow(code('UnknownFrameType'));
    expect(() => decodeHandshakeFrame(new Uint8Array(), ['clientAuth'])).toThrow(code('UnexpectedEnd'));
    expect(decodeHandshakeFrame(Uint8Array.of(2, 99), ['serverConfirmsAuth'])).toEqual({
      type: 'serverConfirmsAuth',
    });
    const challenge = decodeHandshakeFrame(new Uint8Array(20), ['serverChallenge', 'serverConfirmsAuth']);
    expect(challenge).toEqual({ type: 'serverChallenge', challenge: new Uint8Array(16) });
    expect(() => decodeHandshakeFrame(new Uint8Array(10), ['serverChallenge'])).toThrow(
      code('DeserializationError'),
    );
    expect(() => decodeHandshakeFrame(Uint8Array.of(3, 5, 0x61), ['serverDeniesAuth'])).toThrow(
      code('DeserializationError'),
    );
  });
});

describe('TLS keying-material client auth header', () => {
  const secret = fixedKey(5);

  test('round trip and verification with matching keying material', () => {
    const auth = createKeyMaterialClientAuth(secret, fakeExporter(1))!;
    const header = encodeClientAuthHeader(auth);
    expect(base64UrlDecode(header).length).toBe(113);
    expect(header).not.toMatch(/[=+/]/);
    const decoded = decodeClientAuthHeader(header);
    expect(decoded.publicKey.equals(secret.public())).toBe(true);
    expect(() => verifyKeyMaterialClientAuth(decoded, fakeExporter(1))).not.toThrow();
  });

  test('the exporter is asked for 32 bytes with iroh label and the public key as context', () => {
    const calls: [number, string, string][] = [];
    createKeyMaterialClientAuth(secret, (length, label, context) => {
      calls.push([length, label, Buffer.from(context).toString('hex')]);
      return new Uint8Array(32);
    });
    expect(calls).toEqual([[32, TLS_EXPORT_LABEL, secret.public().toString()]]);
    expect(TLS_EXPORT_LABEL).toBe('iroh-relay handshake v1');
  });

  test('different sessions, forged signatures and missing TLS are told apart', () => {
    const auth = createKeyMaterialClientAuth(secret, fakeExporter(1))!;
    expect(() => verifyKeyMaterialClientAuth(auth, fakeExporter(2))).toThrow(code('MismatchedSuffix'));
    expect(() => verifyKeyMaterialClientAuth(auth, () => undefined)).toThrow(code('NoKeyingMaterial'));
    const forged = { ...auth, signature: fixedKey(6).sign(new Uint8Array(16)) };
    expect(() => verifyKeyMaterialClientAuth(forged, fakeExporter(1))).toThrow(code('SignatureInvalid'));
    expect(createKeyMaterialClientAuth(secret, () => undefined)).toBeUndefined();
  });

  test('malformed header values are ClientAuthHeaderInvalid', () => {
    for (const bad of [
      '',
      'a',
      '!!!!',
      'AAAA',
      `${encodeClientAuthHeader(createKeyMaterialClientAuth(secret, fakeExporter(1))!)}=`,
    ]) {
      expect(() => decodeClientAuthHeader(bad)).toThrow(code('ClientAuthHeaderInvalid'));
    }
  });
});

describe('base64url', () => {
  test('known values and strictness', () => {
    expect(base64UrlEncode(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect([...base64UrlDecode('-_8')]).toEqual([0xfb, 0xff]);
    expect(base64UrlEncode(new TextEncoder().encode('foobar'))).toBe('Zm9vYmFy');
    expect(() => base64UrlDecode('Zm9=')).toThrow(code('InvalidCharacter'));
    expect(() => base64UrlDecode('Zm+v')).toThrow(code('InvalidCharacter'));
    expect(() => base64UrlDecode('Z')).toThrow(code('InvalidLength'));
    expect(() => base64UrlDecode('-_9')).toThrow(code('NonCanonical'));
  });
});

describe('protocol version negotiation', () => {
  test('picks the highest supported version and ignores unknown entries', () => {
    expect(negotiateProtocolVersion('iroh-relay-v2, iroh-relay-v1')).toBe(PROTOCOL_V2);
    expect(negotiateProtocolVersion('iroh-relay-v1,iroh-relay-v2')).toBe(PROTOCOL_V2);
    expect(negotiateProtocolVersion(' iroh-relay-v1 , foo')).toBe(PROTOCOL_V1);
    expect(negotiateProtocolVersion('iroh-relay-v3')).toBeUndefined();
    expect(negotiateProtocolVersion('')).toBeUndefined();
    expect(protocolVersionNumber(PROTOCOL_V1)).toBe(1);
  });
});

describe('PingTracker', () => {
  test('deadline, matching pong, RTT-based timeout and expiry', () => {
    const t = new PingTracker(5000);
    expect(t.outstanding).toBe(false);
    t.pingSent(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 1000);
    expect(t.deadline).toBe(6000);
    expect(t.pongReceived(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9), 1100)).toBeUndefined();
    expect(t.pongReceived(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 1100)).toBe(100);
    expect(t.outstanding).toBe(false);
    expect(t.timeoutMs).toBe(500);
    t.pingSent(new Uint8Array(8), 2000);
    expect(t.checkTimeout(2499)).toBe(false);
    expect(t.checkTimeout(2500)).toBe(true);
    expect(t.checkTimeout(9999)).toBe(false);
    t.pongReceived(new Uint8Array(8), 2600);
    expect(t.lastRttMs).toBe(100);
  });

  test('the timeout is clamped to the maximum', () => {
    const t = new PingTracker(5000);
    t.pingSent(new Uint8Array(8), 0);
    t.pongReceived(new Uint8Array(8), 4000);
    expect(t.timeoutMs).toBe(5000);
  });
});

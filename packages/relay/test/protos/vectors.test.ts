import { PublicKey, SecretKey } from '@iroh-ts/base';
import { describe, expect, test } from 'vitest';
import {
  CHALLENGE_SIGNATURE_CONTEXT,
  challengeMessage,
  decodeHandshakeFrame,
  decodeRelayToClient,
  encodeClientToRelay,
  encodeHandshakeFrame,
  encodeRelayToClient,
  PROTOCOL_V1,
  PROTOCOL_V2,
  Status,
  signChallenge,
  verifyChallengeSignature,
} from '../../src/index.js';
import { hex, loadCoreVectors, loadSharedVectors, norm, toHex } from '../support/vectors.js';

interface RealHandshake {
  client_auth_frame_hex: string;
  challenge_hex: string;
  pubkey: string;
  message_to_sign_hex: string;
  total_len: number;
}
interface Constructed {
  secret_key_hex: string;
  endpoint_id_hex: string;
  challenge_hex: string;
  server_challenge_frame_hex: string;
  blake3_derive_key_context: string;
  message_to_sign_hex: string;
  signature_hex: string;
  client_auth_frame_hex: string;
  server_confirms_auth_frame_hex: string;
  server_denies_auth_frame_hex_example: string;
}
interface RealFrame {
  type: number;
  ws_message_len: number;
  payload_len?: number;
  ecn?: number;
}

const vectors = loadCoreVectors();
const real = vectors?.relay_handshake_real as { handshakes: RealHandshake[] } | undefined;
const constructed = vectors?.relay_handshake_constructed as Constructed | undefined;
const frames = vectors?.relay_frames_real as { frames: RealFrame[] } | undefined;

describe('REAL relay handshakes captured from iroh 1.0.2', () => {
  test('each real ClientAuth frame decodes and its signature verifies against the challenge', () => {
    expect(real!.handshakes.length).toBeGreaterThan(0);
    for (const h of real!.handshakes) {
      const frame = hex(h.client_auth_frame_hex);
      expect(frame.length).toBe(h.total_len);
      const decoded = decodeHandshakeFrame(frame, ['clientAuth']);
      if (decoded.type !== 'clientAuth') throw new Error('wrong type');
      expect(decoded.publicKey.toString()).toBe(h.pubkey);
      const challenge = hex(h.challenge_hex);
      expect(toHex(challengeMessage(challenge))).toBe(h.message_to_sign_hex);
      expect(verifyChallengeSignature(decoded.publicKey, decoded.signature, challenge)).toBe(true);
      // Re-encoding gives the captured bytes.
      expect(toHex(encodeHandshakeFrame(decoded))).toBe(h.client_auth_frame_hex);
    }
  });

  test('a real signature does not verify against another challenge', () => {
    const [a, b] = real!.handshakes;
    const decoded = decodeHandshakeFrame(hex(a!.client_auth_frame_hex), ['clientAuth']);
    if (decoded.type !== 'clientAuth') throw new Error('wrong type');
    expect(verifyChallengeSignature(decoded.publicKey, decoded.signature, hex(b!.challenge_hex))).toBe(false);
  });

  test('datagram frame sizes match the captured WebSocket message lengths', () => {
    const dst = SecretKey.fromBytes(new Uint8Array(32).fill(0x2a)).public();
    for (const f of frames!.frames) {
      if (f.type !== 4 || f.payload_len === undefined) continue;
      const bytes = encodeClientToRelay({
        type: 'datagrams',
        dst,
        datagrams: { ecn: (f.ecn ?? 0) as 0, contents: new Uint8Array(f.payload_len).fill(1) },
      });
      expect(bytes.length).toBe(f.ws_message_len);
    }
  });
});

describe('constructed handshake vector (key 32×2a)', () => {
  test('context string, message and signature match', () => {
    const c = constructed!;
    expect(CHALLENGE_SIGNATURE_CONTEXT).toBe(c.blake3_derive_key_context);
    const secret = SecretKey.fromBytes(hex(c.secret_key_hex));
    expect(secret.public().toString()).toBe(c.endpoint_id_hex);
    const challenge = hex(c.challenge_hex);
    expect(toHex(challengeMessage(challenge))).toBe(c.message_to_sign_hex);
    const auth = signChallenge(secret, challenge);
    expect(toHex(auth.signature.toBytes())).toBe(c.signature_hex);
    expect(toHex(encodeHandshakeFrame(auth))).toBe(c.client_auth_frame_hex);
  });

  test('server frames are byte-exact', () => {
    const c = constructed!;
    expect(toHex(encodeHandshakeFrame({ type: 'serverChallenge', challenge: hex(c.challenge_hex) }))).toBe(
      c.server_challenge_frame_hex,
    );
    expect(toHex(encodeHandshakeFrame({ type: 'serverConfirmsAuth' }))).toBe(
      c.server_confirms_auth_frame_hex,
    );
    expect(toHex(encodeHandshakeFrame({ type: 'serverDeniesAuth', reason: 'signature invalid' }))).toBe(
      c.server_denies_auth_frame_hex_example,
    );
    const denied = decodeHandshakeFrame(hex(c.server_denies_auth_frame_hex_example), ['serverDeniesAuth']);
    expect(denied).toEqual({ type: 'serverDeniesAuth', reason: 'signature invalid' });
    expect(() => decodeHandshakeFrame(hex(c.client_auth_frame_hex), ['serverDeniesAuth'])).toThrow(
      expect.objectContaining({ code: 'UnexpectedFrameType' }),
    );
  });
});

describe('iroh-relay snapshot frames (SRC protos/relay.rs tests, key 32×2a)', () => {
  const key = SecretKey.fromBytes(new Uint8Array(32).fill(0x2a)).public();
  const keyHex = '197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61';
  const hello = new TextEncoder().encode('Hello World!');
  const helloHex = toHex(hello);

  test('relay → client frames', () => {
    const cases: [Parameters<typeof encodeRelayToClient>[0], string][] = [
      [
        { type: 'health', problem: 'Hello? Yes this is dog.' },
        `0b${toHex(new TextEncoder().encode('Hello? Yes this is dog.'))}`,
      ],
      [{ type: 'endpointGone', endpointId: key }, `08${keyHex}`],
      [{ type: 'ping', data: new Uint8Array(8).fill(42) }, '092a2a2a2a2a2a2a2a'],
      [{ type: 'pong', data: new Uint8Array(8).fill(42) }, '0a2a2a2a2a2a2a2a2a'],
      [
        { type: 'datagrams', src: key, datagrams: { ecn: 3, segmentSize: 6, contents: hello } },
        `07${keyHex}030006${helloHex}`,
      ],
      [{ type: 'datagrams', src: key, datagrams: { ecn: 3, contents: hello } }, `06${keyHex}03${helloHex}`],
      [{ type: 'restarting', reconnectInMs: 10, tryForMs: 20 }, '0c0000000a00000014'],
      [{ type: 'status', status: Status.SameEndpointIdConnected }, '0d01'],
      [{ type: 'status', status: Status.RateLimited }, '0d02'],
    ];
    for (const [msg, expected] of cases) {
      expect(toHex(encodeRelayToClient(msg))).toBe(expected);
      const version = msg.type === 'health' ? PROTOCOL_V1 : PROTOCOL_V2;
      expect(norm(decodeRelayToClient(hex(expected), version))).toEqual(norm(msg));
    }
  });

  test('client → relay frames', () => {
    expect(toHex(encodeClientToRelay({ type: 'ping', data: new Uint8Array(8).fill(42) }))).toBe(
      '092a2a2a2a2a2a2a2a',
    );
    expect(toHex(encodeClientToRelay({ type: 'pong', data: new Uint8Array(8).fill(42) }))).toBe(
      '0a2a2a2a2a2a2a2a2a',
    );
    expect(
      toHex(
        encodeClientToRelay({
          type: 'datagrams',
          dst: key,
          datagrams: { ecn: 3, segmentSize: 6, contents: hello },
        }),
      ),
    ).toBe(`05${keyHex}030006${helloHex}`);
    expect(
      toHex(encodeClientToRelay({ type: 'datagrams', dst: key, datagrams: { ecn: 3, contents: hello } })),
    ).toBe(`04${keyHex}03${helloHex}`);
  });

  test('the key vector is the public key of 32×2a', () => {
    expect(PublicKey.fromString(keyHex).equals(key)).toBe(true);
  });
});

const shared = loadSharedVectors();
if (shared === undefined)
  console.warn(
    'SKIP relay vectors vs shared spec: ../shared/spec/iroh-core-vectors.json not found beside the repository',
  );

describe.skipIf(shared === undefined)('the fixture copy of the relay vectors', () => {
  test('equals the relay_* entries of the shared spec file', () => {
    for (const [k, v] of Object.entries(loadCoreVectors()))
      if (k.startsWith('relay_')) expect(v).toEqual(shared?.[k]);
  });
});

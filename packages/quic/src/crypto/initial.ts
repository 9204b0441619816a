/**
 * Initial packet protection (RFC 9001 §5.2): keys derived from the client's first Destination
 * Connection ID with the QUIC v1 salt, always AES-128-GCM with SHA-256.
 */

import { tlsBackend } from '#tls-backend';
import { type PacketKeys, packetKeys } from './packet-protection.js';
import { hkdfExpandLabel, hkdfExtract, quicKeys } from './tls/key-schedule.js';

// The platform's SHA-256 (node:crypto on Node, @noble/hashes elsewhere).
const SHA256 = tlsBackend.hash('sha256');

/** The QUIC v1 initial salt. */
export const INITIAL_SALT_V1 = Uint8Array.from([
  0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb,
  0x7f, 0x0a,
]);

/** The client and server Initial secrets for a client-chosen DCID. */
export function initialSecrets(dcid: Uint8Array): { client: Uint8Array; server: Uint8Array } {
  const initial = hkdfExtract(SHA256, INITIAL_SALT_V1, dcid);
  return {
    client: hkdfExpandLabel(SHA256, initial, 'client in', new Uint8Array(0), 32),
    server: hkdfExpandLabel(SHA256, initial, 'server in', new Uint8Array(0), 32),
  };
}

/** Packet keys from a secret of an AES-128-GCM/SHA-256 level (Initial). */
function keysFrom(secret: Uint8Array): PacketKeys {
  const k = quicKeys(SHA256, secret, 16);
  return packetKeys('aes-128-gcm', k.key, k.iv, k.hp);
}

/** Initial keys for one side: `local` seals what we send, `remote` opens what we receive. */
export function initialKeys(
  dcid: Uint8Array,
  side: 'client' | 'server',
): { local: PacketKeys; remote: PacketKeys } {
  const { client, server } = initialSecrets(dcid);
  const c = keysFrom(client);
  const s = keysFrom(server);
  return side === 'client' ? { local: c, remote: s } : { local: s, remote: c };
}

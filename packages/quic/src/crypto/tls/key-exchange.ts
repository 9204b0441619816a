/**
 * Ephemeral (EC)DHE for the TLS 1.3 handshake (RFC 8446 §4.2.7, §4.2.8, §7.4): x25519, secp256r1 and
 * secp384r1 through the {@link TlsBackend}, with the checks RFC 8446 asks of a received key share. A
 * share that is not a valid value of its group, or that yields a degenerate secret, is `illegal_parameter`.
 */
import { tlsBackend } from '#tls-backend';
import { illegalParameter, TlsAlert } from './alerts.js';
import type { EphemeralKeyPair, RandomBytes } from './backend.js';
import { NamedGroup, namedGroupName } from './constants.js';
import type { KeyShareEntry } from './extensions.js';

/** The groups a client offers by default, in iroh 1.0.x's order (one key share, for the first). */
export const DEFAULT_GROUPS: readonly number[] = [
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
];

/** Whether the backend can do (EC)DHE on `group`. */
export function isSupportedGroup(group: number): boolean {
  return tlsBackend.groups.includes(group);
}

/** The configured groups, checked against what the backend supports (a configuration error otherwise). */
export function configuredGroups(groups: readonly number[] | undefined): readonly number[] {
  const list = groups ?? DEFAULT_GROUPS;
  const bad = list.find((g) => !isSupportedGroup(g));
  if (bad !== undefined) throw new RangeError(`unsupported key exchange group ${namedGroupName(bad)}`);
  if (list.length === 0) throw new RangeError('no key exchange groups configured');
  return list;
}

/** A fresh key pair on `group`, private key from `random`. */
export function generateKeyPair(group: number, random: RandomBytes): EphemeralKeyPair {
  const pair = tlsBackend.keyPair(group, random);
  if (pair === undefined) {
    throw new TlsAlert('internal_error', `key exchange group ${namedGroupName(group)} is not supported`);
  }
  return pair;
}

/** Our key_share entry for a key pair. */
export function keyShareEntry(pair: EphemeralKeyPair): KeyShareEntry {
  return { group: pair.group, keyExchange: pair.publicKey };
}

/** The shared secret with the peer's share; an invalid share is `illegal_parameter` (RFC 8446 §4.2.8). */
export function agree(pair: EphemeralKeyPair, peer: KeyShareEntry): Uint8Array {
  if (peer.group !== pair.group) {
    throw illegalParameter(
      `key share for ${namedGroupName(peer.group)}, expected ${namedGroupName(pair.group)}`,
    );
  }
  const secret = pair.agree(peer.keyExchange);
  if (secret === undefined) {
    throw illegalParameter(`invalid ${namedGroupName(peer.group)} key share`);
  }
  return secret;
}

/**
 * The client's ClientHello extensions, shaped like iroh 1.0.x's (rustls) ones: supported_versions
 * [TLS 1.3], one key share for the first group, supported_groups, SNI when configured, ALPN,
 * status_request, extended_master_secret, ec_point_formats, psk_key_exchange_modes [psk_dhe_ke],
 * signature_algorithms, quic_transport_parameters, and in raw-public-key mode the RFC 7250
 * certificate types. The order is shuffled from the injected randomness, as rustls does.
 */

import type { RandomBytes } from './backend.js';
import { PskKeyExchangeMode } from './constants.js';
import { alpnExtension, type Extension, type KeyShareEntry, serverNameExtension } from './extensions.js';
import { rpkCertificateTypeOffers } from './raw-public-key.js';
import { isIpLiteral } from './x509.js';

const TLS13 = 0x0304;

/** What goes into a ClientHello besides the key share. */
export interface ClientHelloOptions {
  readonly mode: 'raw-public-key' | 'x509';
  readonly groups: readonly number[];
  readonly signatureSchemes: readonly number[];
  readonly alpnProtocols: readonly Uint8Array[];
  readonly transportParameters: Uint8Array;
  /** SNI; skipped for IP literals in X.509 mode (RFC 6066 §3 allows DNS names only). */
  readonly serverName: string | undefined;
}

/** The first ClientHello's extensions, in a random order drawn from `random`. */
export function clientHelloExtensions(
  options: ClientHelloOptions,
  share: KeyShareEntry,
  random: RandomBytes,
): Extension[] {
  const exts: Extension[] = [
    { kind: 'supported_versions', versions: [TLS13] },
    { kind: 'key_share', shares: [share] },
  ];
  const name = options.serverName;
  if (name !== undefined && !(options.mode === 'x509' && isIpLiteral(name)))
    exts.push(serverNameExtension(name));
  if (options.alpnProtocols.length > 0) exts.push(alpnExtension(options.alpnProtocols));
  if (options.mode === 'raw-public-key') exts.push(...rpkCertificateTypeOffers());
  exts.push(
    { kind: 'supported_groups', groups: options.groups },
    { kind: 'psk_key_exchange_modes', modes: [PskKeyExchangeMode.psk_dhe_ke] },
    { kind: 'signature_algorithms', schemes: options.signatureSchemes },
    { kind: 'status_request', responderIds: [], requestExtensions: new Uint8Array(0) },
    { kind: 'extended_master_secret' },
    { kind: 'ec_point_formats', formats: [0] },
    { kind: 'quic_transport_parameters', data: options.transportParameters },
  );
  return shuffle(exts, random);
}

/**
 * The second ClientHello's extensions after a HelloRetryRequest (RFC 8446 §4.1.2): the same ones in the
 * same order, the key share replaced by one for the requested group, and the server's cookie added.
 */
export function retryExtensions(
  first: readonly Extension[],
  share: KeyShareEntry,
  cookie: Uint8Array | undefined,
): Extension[] {
  const out = first.map(
    (e): Extension => (e.kind === 'key_share' ? { kind: 'key_share', shares: [share] } : e),
  );
  if (cookie !== undefined) out.push({ kind: 'cookie', cookie });
  return out;
}

/** Fisher–Yates with bytes from `random` (the slight modulo bias does not matter for an order). */
function shuffle<T>(items: T[], random: RandomBytes): T[] {
  const bytes = random(items.length);
  for (let i = items.length - 1; i > 0; i--) {
    const j = (bytes[i] ?? 0) % (i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

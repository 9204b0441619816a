/**
 * CertificateVerify (RFC 8446 §4.4.3): the signed content, our signing credentials and the peer's
 * verification key. Ed25519 goes through `@iroh-ts/base` (strict verification, as iroh's
 * ed25519-dalek `verify_strict`); ECDSA and RSA-PSS keys from X.509 certificates through the
 * {@link TlsBackend}. RSA PKCS#1 v1.5 may sign certificates but never a TLS 1.3 CertificateVerify.
 */
import { type PublicKey, SecretKey, Signature } from '@iroh-ts/base';
import { tlsBackend } from '#tls-backend';
import type { LocalIdentity } from '../session.js';
import { illegalParameter, TlsAlert } from './alerts.js';
import type { RandomBytes } from './backend.js';
import { SignatureScheme, signatureSchemeName } from './constants.js';
import type { CertificateVerify } from './messages.js';
import { ed25519KeyFromSpki, ed25519Spki } from './messages.js';

/** Whose CertificateVerify: the context string differs (RFC 8446 §4.4.3). */
export type SignerSide = 'server' | 'client';

const encoder = new TextEncoder();
const CONTEXT: Readonly<Record<SignerSide, Uint8Array>> = {
  server: encoder.encode('TLS 1.3, server CertificateVerify'),
  client: encoder.encode('TLS 1.3, client CertificateVerify'),
};

/** The signature algorithms an X.509-mode client offers (iroh's QAD client, i.e. rustls/webpki defaults). */
export const X509_SIGNATURE_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pkcs1_sha512,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha256,
];

/** The only signature scheme of iroh's raw-public-key handshakes. */
export const RPK_SIGNATURE_SCHEMES: readonly number[] = [SignatureScheme.ed25519];

const PKCS1_SCHEMES: readonly number[] = [
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

/** The content a CertificateVerify signs: 64 spaces, the context string, a zero byte, the transcript hash. */
export function certificateVerifyContent(side: SignerSide, transcriptHash: Uint8Array): Uint8Array {
  const context = CONTEXT[side];
  const out = new Uint8Array(64 + context.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(context, 64);
  out.set(transcriptHash, 64 + context.length + 1);
  return out;
}

/** Our credentials: the Certificate entries we send and how we sign. */
export interface LocalCredential {
  /** `raw-public-key`: one Ed25519 SPKI entry; `x509`: the DER chain, leaf first. */
  readonly certType: 'raw-public-key' | 'x509';
  readonly entries: readonly Uint8Array[];
  /** Schemes we can sign with, in preference order. */
  readonly schemes: readonly number[];
  sign(scheme: number, message: Uint8Array): Uint8Array;
}

// PKCS#8 v1 of an Ed25519 key (RFC 8410): SEQUENCE { 0, AlgorithmIdentifier { 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }.
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function ed25519SeedFromPkcs8(pkcs8: Uint8Array): Uint8Array | undefined {
  if (pkcs8.length !== ED25519_PKCS8_PREFIX.length + 32) return undefined;
  for (let i = 0; i < ED25519_PKCS8_PREFIX.length; i++) {
    if (pkcs8[i] !== ED25519_PKCS8_PREFIX[i]) return undefined;
  }
  return pkcs8.subarray(ED25519_PKCS8_PREFIX.length);
}

function ed25519Credential(
  secretKey: SecretKey,
  certType: LocalCredential['certType'],
  entries: readonly Uint8Array[],
): LocalCredential {
  return {
    certType,
    entries,
    schemes: RPK_SIGNATURE_SCHEMES,
    sign: (_scheme, message) => secretKey.sign(message).toBytes(),
  };
}

/** Loads our identity; a PKCS#8 key nobody can load is a configuration error (`RangeError`). */
export function localCredential(identity: LocalIdentity, random: RandomBytes): LocalCredential {
  if (identity.kind === 'raw-public-key') {
    const spki = ed25519Spki(identity.secretKey.public().bytesView);
    return ed25519Credential(identity.secretKey, 'raw-public-key', [spki]);
  }
  if (identity.chain.length === 0) throw new RangeError('X.509 identity without certificates');
  const seed = ed25519SeedFromPkcs8(identity.privateKeyPkcs8);
  if (seed !== undefined) return ed25519Credential(SecretKey.fromBytes(seed), 'x509', identity.chain);
  const signer = tlsBackend.pkcs8Signer(identity.privateKeyPkcs8, random);
  if (signer === undefined) {
    throw new RangeError(`the ${tlsBackend.name} TLS backend cannot load this PKCS#8 private key`);
  }
  return { certType: 'x509', entries: identity.chain, schemes: signer.schemes, sign: signer.sign };
}

/** Our first scheme the peer accepts, or `handshake_failure` when there is none. */
export function chooseScheme(credential: LocalCredential, peerSchemes: readonly number[]): number {
  const scheme = credential.schemes.find((s) => peerSchemes.includes(s));
  if (scheme === undefined) {
    throw new TlsAlert('handshake_failure', 'the peer accepts none of the signature schemes of our key');
  }
  return scheme;
}

/** Our CertificateVerify over `transcriptHash` (the hash of the messages up to our Certificate). */
export function signCertificateVerify(
  credential: LocalCredential,
  scheme: number,
  side: SignerSide,
  transcriptHash: Uint8Array,
): CertificateVerify {
  const signature = credential.sign(scheme, certificateVerifyContent(side, transcriptHash));
  return { kind: 'certificate_verify', scheme, signature };
}

/** The peer's authenticated key, able to check its CertificateVerify. */
export interface PeerKey {
  /** `true`/`false`, or `undefined` when the key cannot make signatures of `scheme`. */
  verify(scheme: number, message: Uint8Array, signature: Uint8Array): boolean | undefined;
}

/** An Ed25519 key (iroh's raw public keys, and Ed25519 X.509 leaves): strict verification. */
export function ed25519PeerKey(key: PublicKey): PeerKey {
  return {
    verify(scheme, message, signature) {
      if (scheme !== SignatureScheme.ed25519) return undefined;
      if (signature.length !== Signature.LENGTH) return false;
      return key.isValidSignature(message, Signature.fromBytes(signature));
    },
  };
}

/** The key of an X.509 leaf, from its SubjectPublicKeyInfo. */
export function spkiPeerKey(spki: Uint8Array, parseEd25519: (raw: Uint8Array) => PublicKey): PeerKey {
  const raw = ed25519KeyFromSpki(spki);
  if (raw !== undefined) return ed25519PeerKey(parseEd25519(raw));
  const copy = spki.slice();
  return {
    verify: (scheme, message, signature) => tlsBackend.verifySignature(copy, scheme, message, signature),
  };
}

/**
 * Checks the peer's CertificateVerify: the scheme must be one we offered and allowed in TLS 1.3
 * (`illegal_parameter`), and the signature must verify (`decrypt_error`, also for a key that cannot
 * make that kind of signature).
 */
export function verifyCertificateVerify(
  key: PeerKey,
  offered: readonly number[],
  cv: CertificateVerify,
  side: SignerSide,
  transcriptHash: Uint8Array,
): void {
  const name = signatureSchemeName(cv.scheme);
  if (!offered.includes(cv.scheme) || PKCS1_SCHEMES.includes(cv.scheme)) {
    throw illegalParameter(`${side} CertificateVerify uses ${name}, which we did not offer for TLS 1.3`);
  }
  const ok = key.verify(cv.scheme, certificateVerifyContent(side, transcriptHash), cv.signature);
  if (ok === undefined) {
    throw new TlsAlert('decrypt_error', `${side} certificate key cannot make ${name} signatures`);
  }
  if (!ok) throw new TlsAlert('decrypt_error', `${side} CertificateVerify signature (${name}) is invalid`);
}

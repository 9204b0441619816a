/**
 * The TLS 1.3 client handshake for QUIC (RFC 8446 §2, RFC 9001), sans-IO. It sends the ClientHello on
 * construction, handles a HelloRetryRequest, authenticates the server by iroh's raw public key or an
 * X.509 chain, answers a CertificateRequest, and ignores NewSessionTickets after the handshake.
 *
 * Events: `handshake-data` at 'initial' (ClientHello), `secrets` 'handshake' after the ServerHello,
 * then after the server Finished: `handshake-data` at 'handshake' (Certificate, CertificateVerify,
 * Finished), `secrets` 'one-rtt' (both directions) and `complete`.
 */
import type { PublicKey } from '@iroh-ts/base';
import type { PeerIdentity, TlsConfig } from '../session.js';
import { illegalParameter, TlsAlert } from './alerts.js';
import type { EphemeralKeyPair } from './backend.js';
import { clientHelloExtensions, retryExtensions } from './client-hello.js';
import { ExtensionType, HandshakeType, ProtocolVersion } from './constants.js';
import { checkSolicited, type Extension, extensionType, findExtension } from './extensions.js';
import {
  checkFinished,
  configuredSuites,
  finishedMessage,
  HandshakeSession,
  cipherSuite as suiteFor,
} from './handshake-common.js';
import { agree, configuredGroups, generateKeyPair, keyShareEntry } from './key-exchange.js';
import { KeySchedule } from './key-schedule.js';
import {
  type Certificate,
  type CertificateRequest,
  type CertificateVerify,
  clientHello,
  type EncryptedExtensions,
  type Finished,
  type HelloRetryRequest,
  type RawHandshakeMessage,
  type ServerHello,
} from './messages.js';
import { checkRpkSelections, rawPublicKeyFromCertificate } from './raw-public-key.js';
import {
  ed25519PeerKey,
  type LocalCredential,
  localCredential,
  type PeerKey,
  RPK_SIGNATURE_SCHEMES,
  signCertificateVerify,
  verifyCertificateVerify,
  X509_SIGNATURE_SCHEMES,
} from './signatures.js';
import { verifyX509Server, x509Available } from './x509.js';

type State =
  | 'server_hello'
  | 'encrypted_extensions'
  | 'certificate'
  | 'certificate_verify'
  | 'finished'
  | 'connected';

type Verification =
  | { readonly mode: 'raw-public-key'; readonly expected: PublicKey | undefined }
  | {
      readonly mode: 'x509';
      readonly roots: readonly Uint8Array[];
      readonly name: string;
      readonly now: () => number;
    };

function verification(config: TlsConfig): Verification {
  const v = config.verify;
  if (v.kind === 'raw-public-key') return { mode: 'raw-public-key', expected: v.expected };
  const name = v.serverName ?? config.serverName;
  if (name === undefined) throw new RangeError('an X.509 client needs a server name to verify');
  if (config.now === undefined)
    throw new RangeError('an X.509 client needs a clock (TlsConfig.now) to check validity');
  if (!x509Available()) throw new RangeError('this platform has no X.509 validation');
  return { mode: 'x509', roots: v.roots, name, now: config.now };
}

/** The client side of a TLS 1.3 handshake inside QUIC. */
export class TlsClient extends HandshakeSession {
  readonly side = 'client' as const;
  private state: State = 'server_hello';
  private readonly verification: Verification;
  private readonly credential: LocalCredential | undefined;
  private readonly suites: readonly number[];
  private readonly groups: readonly number[];
  private readonly schemes: readonly number[];
  private readonly clientRandom: Uint8Array;
  private extensions: Extension[];
  private keyPair: EphemeralKeyPair;
  private retrySuite: number | undefined;
  private clientSecret: Uint8Array = new Uint8Array(0);
  private serverSecret: Uint8Array = new Uint8Array(0);
  private rpkClientCertificate = false;
  private request: CertificateRequest | undefined;
  private peerKey: PeerKey | undefined;
  private pendingPeer: PeerIdentity | undefined;

  constructor(config: TlsConfig) {
    super(config);
    if (config.side !== 'client') throw new RangeError('TlsClient needs a client configuration');
    this.verification = verification(config);
    const mode = this.verification.mode;
    if (config.identity !== undefined && config.identity.kind !== mode) {
      throw new RangeError(`a ${config.identity.kind} identity cannot answer in ${mode} mode`);
    }
    this.credential = config.identity && localCredential(config.identity, config.random);
    this.suites = configuredSuites(config.cipherSuites);
    this.groups = configuredGroups(config.groups);
    this.schemes = mode === 'raw-public-key' ? RPK_SIGNATURE_SCHEMES : X509_SIGNATURE_SCHEMES;
    this.clientRandom = config.random(32).slice();
    if (this.clientRandom.length !== 32) throw new RangeError('the random source returned the wrong length');
    this.keyPair = generateKeyPair(this.groups[0]!, config.random);
    this.extensions = clientHelloExtensions(
      {
        mode,
        groups: this.groups,
        signatureSchemes: this.schemes,
        alpnProtocols: config.alpnProtocols,
        transportParameters: config.transportParameters,
        serverName: config.serverName,
      },
      keyShareEntry(this.keyPair),
      config.random,
    );
    this.sendClientHello();
  }

  private sendClientHello(): void {
    const hello = clientHello({
      random: this.clientRandom,
      cipherSuites: this.suites,
      extensions: this.extensions,
    });
    this.emitData('initial', [this.send(hello)]);
  }

  private offered(): Set<number> {
    return new Set(this.extensions.map(extensionType));
  }

  protected onMessage(m: RawHandshakeMessage): void {
    switch (this.state) {
      case 'server_hello': {
        const hello = this.decode(m, HandshakeType.ServerHello);
        if (hello.kind === 'hello_retry_request') this.onHelloRetryRequest(hello, m.raw);
        else if (hello.kind === 'server_hello') this.onServerHello(hello, m.raw);
        else throw new TlsAlert('unexpected_message', 'expected a ServerHello');
        break;
      }
      case 'encrypted_extensions':
        this.onEncryptedExtensions(
          this.expect(m, HandshakeType.EncryptedExtensions, 'encrypted_extensions'),
          m.raw,
        );
        break;
      case 'certificate':
        if (m.type === HandshakeType.CertificateRequest && this.request === undefined) {
          this.onCertificateRequest(this.expect(m, m.type, 'certificate_request'), m.raw);
        } else {
          this.onCertificate(this.expect(m, HandshakeType.Certificate, 'certificate'), m.raw);
        }
        break;
      case 'certificate_verify':
        this.onCertificateVerify(
          this.expect(m, HandshakeType.CertificateVerify, 'certificate_verify'),
          m.raw,
        );
        break;
      case 'finished':
        this.onFinished(this.expect(m, HandshakeType.Finished, 'finished'), m.raw);
        break;
      case 'connected':
        // Session resumption is not implemented yet: tickets are parsed, then dropped.
        this.expect(m, HandshakeType.NewSessionTicket, 'new_session_ticket');
        break;
    }
  }

  /** Checks shared by ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). */
  private checkHello(hello: ServerHello | HelloRetryRequest, what: string): void {
    const version = findExtension(hello.extensions, 'supported_versions_selected');
    if (version === undefined)
      throw new TlsAlert('protocol_version', `the ${what} does not negotiate TLS 1.3`);
    if (version.version !== ProtocolVersion.TLS13) {
      throw illegalParameter(`the ${what} selected version 0x${version.version.toString(16)}`);
    }
    if (hello.legacyVersion !== ProtocolVersion.TLS12)
      throw illegalParameter(`bad legacy_version in the ${what}`);
    if (hello.legacySessionIdEcho.length !== 0)
      throw illegalParameter(`the ${what} echoes a session id we did not send`);
    if (hello.legacyCompressionMethod !== 0) throw illegalParameter(`the ${what} selected compression`);
    if (!this.suites.includes(hello.cipherSuite)) {
      throw illegalParameter(
        `the ${what} selected cipher suite 0x${hello.cipherSuite.toString(16)}, not offered`,
      );
    }
    if (this.retrySuite !== undefined && hello.cipherSuite !== this.retrySuite) {
      throw illegalParameter('the ServerHello changed the cipher suite of the HelloRetryRequest');
    }
  }

  private onHelloRetryRequest(hrr: HelloRetryRequest, raw: Uint8Array): void {
    if (this.retrySuite !== undefined) throw new TlsAlert('unexpected_message', 'a second HelloRetryRequest');
    this.checkHello(hrr, 'HelloRetryRequest');
    checkSolicited(this.offered(), hrr.extensions, [ExtensionType.Cookie]);
    const selected = findExtension(hrr.extensions, 'key_share_hrr');
    const cookie = findExtension(hrr.extensions, 'cookie');
    if (selected === undefined && cookie === undefined) {
      throw illegalParameter('the HelloRetryRequest would not change the ClientHello');
    }
    if (selected !== undefined) {
      const group = selected.selectedGroup;
      if (!this.groups.includes(group) || group === this.keyPair.group) {
        throw illegalParameter(`the HelloRetryRequest asks for group 0x${group.toString(16)}`);
      }
      this.keyPair = generateKeyPair(group, this.config.random);
    }
    const suite = suiteFor(hrr.cipherSuite)!;
    this.negotiated = suite;
    this.retrySuite = hrr.cipherSuite;
    this.transcript.selectHash(suite.hash);
    this.transcript.rewriteForHelloRetryRequest();
    this.transcript.add(raw);
    this.extensions = retryExtensions(this.extensions, keyShareEntry(this.keyPair), cookie?.cookie);
    this.sendClientHello();
  }

  private onServerHello(sh: ServerHello, raw: Uint8Array): void {
    this.checkHello(sh, 'ServerHello');
    checkSolicited(this.offered(), sh.extensions);
    const share = findExtension(sh.extensions, 'key_share_server');
    if (share === undefined) throw new TlsAlert('missing_extension', 'the ServerHello has no key_share');
    const shared = agree(this.keyPair, share.share);
    const suite = suiteFor(sh.cipherSuite)!;
    this.negotiated = suite;
    this.transcript.selectHash(suite.hash);
    this.transcript.add(raw);
    const schedule = new KeySchedule(suite.hash);
    schedule.enterHandshake(shared);
    this.keySchedule = schedule;
    const helloHash = this.transcript.hash();
    this.clientSecret = schedule.clientHandshakeTrafficSecret(helloHash);
    this.serverSecret = schedule.serverHandshakeTrafficSecret(helloHash);
    this.readLevel = 'handshake';
    this.state = 'encrypted_extensions';
    this.emitSecrets('handshake', this.clientSecret, this.serverSecret);
  }

  private onEncryptedExtensions(ee: EncryptedExtensions, raw: Uint8Array): void {
    checkSolicited(this.offered(), ee.extensions);
    const params = findExtension(ee.extensions, 'quic_transport_parameters');
    if (params === undefined)
      throw new TlsAlert('missing_extension', 'the server sent no quic_transport_parameters');
    const alpn = findExtension(ee.extensions, 'alpn');
    if (alpn !== undefined) {
      const chosen = alpn.protocols[0]!;
      if (!this.config.alpnProtocols.some((p) => sameBytes(p, chosen))) {
        throw illegalParameter('the server selected an ALPN protocol we did not offer');
      }
      this.negotiatedAlpn = chosen.slice();
    } else if (this.config.alpnProtocols.length > 0) {
      throw new TlsAlert('no_application_protocol', 'the server did not select an ALPN protocol');
    }
    if (this.verification.mode === 'raw-public-key')
      this.rpkClientCertificate = checkRpkSelections(ee.extensions);
    this.peerParams = params.data.slice();
    this.transcript.add(raw);
    this.state = 'certificate';
  }

  private onCertificateRequest(cr: CertificateRequest, raw: Uint8Array): void {
    if (cr.context.length !== 0)
      throw illegalParameter('a CertificateRequest during the handshake has a context');
    this.request = cr;
    this.transcript.add(raw);
  }

  private onCertificate(cert: Certificate, raw: Uint8Array): void {
    if (cert.context.length !== 0) throw illegalParameter('the server Certificate has a request context');
    if (cert.entries.length === 0) throw new TlsAlert('decode_error', 'the server sent no certificate');
    const v = this.verification;
    if (v.mode === 'raw-public-key') {
      const key = rawPublicKeyFromCertificate(cert, v.expected, 'server');
      this.peerKey = ed25519PeerKey(key);
      this.pendingPeer = { kind: 'raw-public-key', key };
    } else {
      const peer = verifyX509Server(cert, v.roots, v.name, v.now());
      this.peerKey = peer.key;
      this.pendingPeer = peer.identity;
    }
    this.transcript.add(raw);
    this.state = 'certificate_verify';
  }

  private onCertificateVerify(cv: CertificateVerify, raw: Uint8Array): void {
    verifyCertificateVerifyFrom(this.peerKey, this.schemes, cv, this.transcript.hash());
    this.peer = this.pendingPeer;
    this.transcript.add(raw);
    this.state = 'finished';
  }

  private onFinished(fin: Finished, raw: Uint8Array): void {
    const suite = this.suiteOrThrow();
    const schedule = this.keysOrThrow();
    checkFinished(suite.hash, this.serverSecret, this.transcript.hash(), fin, 'server');
    this.transcript.add(raw);
    const serverFinishedHash = this.transcript.hash();
    schedule.enterMaster();
    const clientApp = schedule.clientApplicationTrafficSecret(serverFinishedHash);
    const serverApp = schedule.serverApplicationTrafficSecret(serverFinishedHash);
    this.exporterSecret = schedule.exporterMasterSecret(serverFinishedHash);
    const flight = this.request === undefined ? [] : this.authenticate(this.request);
    flight.push(this.send(finishedMessage(suite.hash, this.clientSecret, this.transcript.hash())));
    this.readLevel = 'one-rtt';
    this.state = 'connected';
    this.emitData('handshake', flight);
    this.emitSecrets('one-rtt', clientApp, serverApp);
    this.emitComplete();
  }

  /**
   * Our Certificate and CertificateVerify for a CertificateRequest. Without a usable credential (none,
   * a certificate type the server did not select, or no common signature scheme) the Certificate is
   * empty, as RFC 8446 §4.4.2 asks; the server then decides (iroh's answers `certificate_required`).
   */
  private authenticate(request: CertificateRequest): Uint8Array[] {
    const accepted = findExtension(request.extensions, 'signature_algorithms')?.schemes ?? [];
    const cred = this.credential;
    const usable = cred !== undefined && (cred.certType === 'x509' || this.rpkClientCertificate);
    const scheme = usable ? cred.schemes.find((s) => accepted.includes(s)) : undefined;
    if (cred === undefined || scheme === undefined) {
      return [this.send({ kind: 'certificate', context: request.context, entries: [] })];
    }
    const entries = cred.entries.map((data) => ({ data, extensions: [] }));
    const certificate = this.send({ kind: 'certificate', context: request.context, entries });
    const verify = this.send(signCertificateVerify(cred, scheme, 'client', this.transcript.hash()));
    return [certificate, verify];
  }
}

function verifyCertificateVerifyFrom(
  key: PeerKey | undefined,
  offered: readonly number[],
  cv: CertificateVerify,
  hash: Uint8Array,
): void {
  if (key === undefined) throw new TlsAlert('internal_error', 'CertificateVerify before a certificate');
  verifyCertificateVerify(key, offered, cv, 'server', hash);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

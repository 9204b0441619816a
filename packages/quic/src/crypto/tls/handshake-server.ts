/**
 * The TLS 1.3 server handshake for QUIC (RFC 8446 §2, RFC 9001), sans-IO. In iroh's raw-public-key
 * mode it always requests a client certificate (mutual authentication is mandatory) and accepts any
 * client key, exposing it through `peerIdentity()`; in X.509 mode it presents its chain and does not
 * request one. It never sends NewSessionTickets (no resumption yet).
 *
 * Events: on the ClientHello, `handshake-data` at 'initial' (ServerHello, or a HelloRetryRequest), then
 * `secrets` 'handshake', `handshake-data` at 'handshake' (EncryptedExtensions, CertificateRequest,
 * Certificate, CertificateVerify, Finished) and `secrets` 'one-rtt' with the write secret only; after
 * the client's Finished verifies, `secrets` 'one-rtt' with the read secret, and `complete`.
 */
import type { PublicKey } from '@iroh-ts/base';
import type { PeerIdentity, TlsConfig } from '../session.js';
import { illegalParameter, TlsAlert } from './alerts.js';
import { HandshakeType, handshakeTypeName, ProtocolVersion } from './constants.js';
import type { Extension } from './extensions.js';
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
  type CertificateVerify,
  type ClientHello,
  type Finished,
  type HandshakeMessage,
  type RawHandshakeMessage,
  serverHello,
} from './messages.js';
import { rawPublicKeyFromCertificate } from './raw-public-key.js';
import { checkRetry, type Negotiation, negotiate } from './server-negotiation.js';
import {
  ed25519PeerKey,
  type LocalCredential,
  localCredential,
  type PeerKey,
  RPK_SIGNATURE_SCHEMES,
  signCertificateVerify,
  verifyCertificateVerify,
} from './signatures.js';

type State =
  | 'client_hello'
  | 'client_hello_retry'
  | 'certificate'
  | 'certificate_verify'
  | 'finished'
  | 'connected';

const EMPTY = new Uint8Array(0);

/** The server side of a TLS 1.3 handshake inside QUIC. */
export class TlsServer extends HandshakeSession {
  readonly side = 'server' as const;
  private state: State = 'client_hello';
  private readonly credential: LocalCredential;
  private readonly suites: readonly number[];
  private readonly groups: readonly number[];
  /** Raw-public-key mode: the client must authenticate; `expected` pins its key when set. */
  private readonly clientAuth: { readonly expected: PublicKey | undefined } | undefined;
  private retry: { readonly suite: number; readonly group: number } | undefined;
  private clientSecret: Uint8Array = EMPTY;
  private clientAppSecret: Uint8Array = EMPTY;
  private peerKey: PeerKey | undefined;
  private pendingPeer: PeerIdentity | undefined;

  constructor(config: TlsConfig) {
    super(config);
    if (config.side !== 'server') throw new RangeError('TlsServer needs a server configuration');
    const identity = config.identity;
    if (identity === undefined) throw new RangeError('a TLS server needs an identity');
    if (identity.kind !== config.verify.kind) {
      throw new RangeError(
        `a ${identity.kind} server identity does not fit ${config.verify.kind} verification`,
      );
    }
    this.credential = localCredential(identity, config.random);
    this.clientAuth =
      config.verify.kind === 'raw-public-key' ? { expected: config.verify.expected } : undefined;
    this.suites = configuredSuites(config.cipherSuites);
    this.groups = configuredGroups(config.groups);
  }

  protected onMessage(m: RawHandshakeMessage): void {
    switch (this.state) {
      case 'client_hello':
      case 'client_hello_retry':
        this.onClientHello(this.expect(m, HandshakeType.ClientHello, 'client_hello'), m.raw);
        break;
      case 'certificate':
        this.onCertificate(this.expect(m, HandshakeType.Certificate, 'certificate'), m.raw);
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
        throw new TlsAlert(
          'unexpected_message',
          `unexpected ${handshakeTypeName(m.type)} after the handshake`,
        );
    }
  }

  private onClientHello(ch: ClientHello, raw: Uint8Array): void {
    const n = negotiate(ch, {
      suites: this.suites,
      groups: this.groups,
      alpnProtocols: this.config.alpnProtocols,
      credential: this.credential,
    });
    const suite = suiteFor(n.suite)!;
    let share = n.share;
    if (this.retry !== undefined) {
      share = checkRetry(ch, n, this.retry.suite, this.retry.group);
    } else {
      this.negotiated = suite;
      this.transcript.selectHash(suite.hash);
    }
    this.transcript.add(raw);
    if (share === undefined) {
      this.sendHelloRetryRequest(n);
      return;
    }

    const keyPair = generateKeyPair(share.group, this.config.random);
    const shared = agree(keyPair, share);
    const hello = serverHello({
      random: this.config.random(32).slice(),
      cipherSuite: n.suite,
      extensions: [
        { kind: 'key_share_server', share: keyShareEntry(keyPair) },
        { kind: 'supported_versions_selected', version: ProtocolVersion.TLS13 },
      ],
    });
    if (hello.random.length !== 32) throw new RangeError('the random source returned the wrong length');
    const helloRaw = this.send(hello);
    const schedule = new KeySchedule(suite.hash);
    schedule.enterHandshake(shared);
    this.keySchedule = schedule;
    const helloHash = this.transcript.hash();
    this.clientSecret = schedule.clientHandshakeTrafficSecret(helloHash);
    const serverSecret = schedule.serverHandshakeTrafficSecret(helloHash);
    this.negotiatedAlpn = n.alpn;
    this.peerParams = n.transportParameters;
    this.emitData('initial', [helloRaw]);
    this.emitSecrets('handshake', serverSecret, this.clientSecret);

    this.emitData('handshake', this.serverFlight(n, serverSecret));
    schedule.enterMaster();
    const finishedHash = this.transcript.hash();
    this.clientAppSecret = schedule.clientApplicationTrafficSecret(finishedHash);
    this.exporterSecret = schedule.exporterMasterSecret(finishedHash);
    this.emitSecrets('one-rtt', schedule.serverApplicationTrafficSecret(finishedHash), undefined);
    this.readLevel = 'handshake';
    this.state = this.clientAuth === undefined ? 'finished' : 'certificate';
  }

  /** RFC 8446 §4.1.4: ask for a share of `n.group`; ClientHello1 becomes message_hash in the transcript. */
  private sendHelloRetryRequest(n: Negotiation): void {
    if (this.retry !== undefined) throw new TlsAlert('internal_error', 'a second HelloRetryRequest');
    this.transcript.rewriteForHelloRetryRequest();
    const hrr: HandshakeMessage = {
      kind: 'hello_retry_request',
      legacyVersion: ProtocolVersion.TLS12,
      legacySessionIdEcho: EMPTY,
      cipherSuite: n.suite,
      legacyCompressionMethod: 0,
      extensions: [
        { kind: 'key_share_hrr', selectedGroup: n.group },
        { kind: 'supported_versions_selected', version: ProtocolVersion.TLS13 },
      ],
    };
    this.emitData('initial', [this.send(hrr)]);
    this.retry = { suite: n.suite, group: n.group };
    this.state = 'client_hello_retry';
  }

  /** EncryptedExtensions, CertificateRequest (raw-public-key mode), Certificate, CertificateVerify, Finished. */
  private serverFlight(n: Negotiation, serverSecret: Uint8Array): Uint8Array[] {
    const suite = this.suiteOrThrow();
    const extensions: Extension[] = [
      { kind: 'alpn', protocols: [n.alpn] },
      { kind: 'quic_transport_parameters', data: this.config.transportParameters },
      ...n.certificateTypes,
    ];
    const flight = [this.send({ kind: 'encrypted_extensions', extensions })];
    if (this.clientAuth !== undefined) {
      flight.push(
        this.send({
          kind: 'certificate_request',
          context: EMPTY,
          extensions: [{ kind: 'signature_algorithms', schemes: RPK_SIGNATURE_SCHEMES }],
        }),
      );
    }
    const entries = this.credential.entries.map((data) => ({ data, extensions: [] }));
    flight.push(this.send({ kind: 'certificate', context: EMPTY, entries }));
    flight.push(
      this.send(signCertificateVerify(this.credential, n.scheme, 'server', this.transcript.hash())),
    );
    flight.push(this.send(finishedMessage(suite.hash, serverSecret, this.transcript.hash())));
    return flight;
  }

  private onCertificate(cert: Certificate, raw: Uint8Array): void {
    if (cert.context.length !== 0) throw illegalParameter('the client Certificate has a request context');
    if (cert.entries.length === 0) {
      throw new TlsAlert('certificate_required', 'the client sent no certificate; iroh requires one');
    }
    const key = rawPublicKeyFromCertificate(cert, this.clientAuth?.expected, 'client');
    this.peerKey = ed25519PeerKey(key);
    this.pendingPeer = { kind: 'raw-public-key', key };
    this.transcript.add(raw);
    this.state = 'certificate_verify';
  }

  private onCertificateVerify(cv: CertificateVerify, raw: Uint8Array): void {
    if (this.peerKey === undefined)
      throw new TlsAlert('internal_error', 'CertificateVerify before a certificate');
    verifyCertificateVerify(this.peerKey, RPK_SIGNATURE_SCHEMES, cv, 'client', this.transcript.hash());
    this.peer = this.pendingPeer;
    this.transcript.add(raw);
    this.state = 'finished';
  }

  private onFinished(fin: Finished, raw: Uint8Array): void {
    checkFinished(this.suiteOrThrow().hash, this.clientSecret, this.transcript.hash(), fin, 'client');
    this.transcript.add(raw);
    this.readLevel = 'one-rtt';
    this.state = 'connected';
    this.emitSecrets('one-rtt', undefined, this.clientAppSecret);
    this.emitComplete();
  }
}

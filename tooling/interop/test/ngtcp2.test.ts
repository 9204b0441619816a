/**
 * Acceptance ("An independent QUIC stack"): iroh-ts QUIC + TLS 1.3 against ngtcp2 with GnuTLS
 * (Debian's `ngtcp2-client`/`ngtcp2-server` packages: `gtlsclient`, `gtlsserver`, ngtcp2 0.12). Those
 * only speak HTTP/3, so this side runs the minimal HTTP/3 + QPACK in `src/h3`.
 *
 * - Our client handshakes with gtlsserver (ALPN h3), verifies its X.509 certificate against a root this
 *   test generated (openssl, in a temporary directory) and refuses it against another root or name,
 *   then GETs files from its document root (one needs stream flow-control updates, one is a 404), also
 *   with ngtcp2's simulated packet loss.
 * - gtlsclient GETs resources from our server, which presents an X.509 certificate from that root.
 *   gtlsclient 0.12 does not verify server certificates (it accepts any), so the test extracts the
 *   certificate chain from gtlsclient's dump of the Handshake CRYPTO data it received and verifies
 *   it against the root itself. Also: packet loss, a client-initiated key update, NAT rebinding and
 *   version negotiation.
 *
 * The suites skip, with a printed reason, when gtlsserver/gtlsclient (or openssl) are missing. The
 * codec tests at the end always run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ConnectionError, createTlsSession, type QuicConnection, QuicEndpoint } from '@iroh-ts/quic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeFieldSection,
  encodeFieldSection,
  encodePrefixInt,
  type Field,
  H3Connection,
  type H3Response,
  huffmanDecode,
  huffmanEncode,
  STATIC_TABLE,
} from '../src/h3/index.js';

const H3 = new TextEncoder().encode('h3');
const random = (n: number) => Uint8Array.from(randomBytes(n));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Finds an executable on PATH (and in /usr/sbin, where Debian installs gtlsserver). */
function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

const tools = {
  gtlsserver: findExecutable('gtlsserver'),
  gtlsclient: findExecutable('gtlsclient'),
  openssl: findExecutable('openssl'),
};
const missing = Object.entries(tools)
  .filter(([, p]) => p === undefined)
  .map(([n]) => n);
if (missing.length > 0) {
  console.warn(
    `SKIP ngtcp2 interop: ${missing.join(', ')} not found on PATH ` +
      '(install with: apt-get install -y ngtcp2-client ngtcp2-server openssl)',
  );
}
const haveTools = missing.length === 0;

/** A test PKI: a root CA and a server leaf for localhost / 127.0.0.1 (ECDSA P-256), as files and DER. */
interface Pki {
  readonly dir: string;
  readonly rootDer: Uint8Array;
  readonly otherRootDer: Uint8Array;
  readonly leafDer: Uint8Array;
  readonly leafKeyPkcs8: Uint8Array;
  readonly leafKeyPem: string;
  readonly leafCertPem: string;
}

function makePki(openssl: string): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'iroh-ts-ngtcp2-'));
  const run = (...args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: 'pipe' });
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\n' +
      'keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
  );
  writeFileSync(
    join(dir, 'leaf.ext'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n',
  );
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  for (const name of ['root', 'other', 'leaf']) run('genpkey', ...ec, '-out', `${name}.key`);
  for (const name of ['root', 'other']) {
    const subj = `/CN=iroh-ts ngtcp2 test ${name}`;
    const v3 = ['-config', 'ca.cnf', '-extensions', 'v3'];
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      subj,
      '-days',
      '2',
      ...v3,
      '-out',
      `${name}.pem`,
    );
  }
  run('req', '-new', '-key', 'leaf.key', '-subj', '/CN=localhost', '-out', 'leaf.csr');
  const ca = ['-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial'];
  run('x509', '-req', '-in', 'leaf.csr', ...ca, '-days', '1', '-extfile', 'leaf.ext', '-out', 'leaf.pem');
  const der = (pem: string) => Uint8Array.from(run('x509', '-in', pem, '-outform', 'DER'));
  return {
    dir,
    rootDer: der('root.pem'),
    otherRootDer: der('other.pem'),
    leafDer: der('leaf.pem'),
    leafKeyPkcs8: Uint8Array.from(run('pkcs8', '-topk8', '-nocrypt', '-in', 'leaf.key', '-outform', 'DER')),
    leafKeyPem: join(dir, 'leaf.key'),
    leafCertPem: join(dir, 'leaf.pem'),
  };
}

/** A UDP port that was free a moment ago (for the child process to bind). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Children still running; killed if the test process exits without its afterAll hooks. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** A child process with its combined output collected (for parsing and failure messages). */
class Child {
  readonly proc: ChildProcess;
  private chunks: string[] = [];
  private size = 0;
  readonly exited: Promise<number | null>;

  constructor(cmd: string, args: readonly string[]) {
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout?.on('data', (d: Buffer) => this.append(d));
    this.proc.stderr?.on('data', (d: Buffer) => this.append(d));
    running.add(this.proc);
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code) => {
        running.delete(this.proc);
        resolve(code);
      }),
    );
  }

  private append(d: Buffer): void {
    if (this.size > 16 << 20) return;
    this.chunks.push(d.toString('latin1'));
    this.size += d.length;
  }

  get output(): string {
    return this.chunks.join('');
  }

  /** The last lines of output, for assertion messages. */
  tail(chars = 4000): string {
    return this.output.slice(-chars);
  }

  kill(): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    return this.exited;
  }
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** The bytes of every "Ordered CRYPTO data in Handshake crypto level" hex dump in ngtcp2's debug output. */
function handshakeCryptoFromDump(output: string): Uint8Array {
  const bytes: number[] = [];
  let inDump = false;
  for (const line of output.split('\n')) {
    if (line.startsWith('Ordered CRYPTO data in ')) {
      inDump = line.includes('Handshake crypto level');
      continue;
    }
    if (!inDump) continue;
    const m = /^[0-9a-f]{8} {2}(.*?) +\|/.exec(line);
    if (!m) {
      inDump = false; // the closing offset line
      continue;
    }
    for (const h of m[1]!.trim().split(/ +/)) bytes.push(Number.parseInt(h, 16));
  }
  return Uint8Array.from(bytes);
}

/** The certificates of the TLS 1.3 Certificate message (type 11) in a handshake byte stream. */
function certificatesIn(handshake: Uint8Array): Uint8Array[] {
  const u24 = (b: Uint8Array, at: number) => (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
  for (let at = 0; at + 4 <= handshake.length; ) {
    const type = handshake[at]!;
    const len = u24(handshake, at + 1);
    const body = handshake.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    if (type !== 11) continue;
    const certs: Uint8Array[] = [];
    let p = 1 + body[0]!; // certificate_request_context
    const end = p + 3 + u24(body, p);
    for (p += 3; p < end; ) {
      const certLen = u24(body, p);
      certs.push(body.slice(p + 3, p + 3 + certLen));
      p += 3 + certLen;
      p += 2 + ((body[p]! << 8) | body[p + 1]!); // extensions
    }
    return certs;
  }
  return [];
}

/** A TLS client session factory for gtlsserver: X.509, ALPN h3, SNI/verification name `name`. */
function clientCrypto(roots: readonly Uint8Array[], name = 'localhost') {
  return (tp: Uint8Array) =>
    createTlsSession({
      side: 'client',
      alpnProtocols: [H3],
      transportParameters: tp,
      verify: { kind: 'x509', roots, serverName: name },
      serverName: name,
      random,
      now: () => Date.now(),
    });
}

/** Starts gtlsserver on a free loopback port, serving `htdocs`. */
async function startGtlsServer(pki: Pki, htdocs: string, extra: readonly string[] = []) {
  const port = await freeUdpPort();
  const server = new Child(tools.gtlsserver!, [
    '-q',
    ...extra,
    `--htdocs=${htdocs}`,
    '--timeout=15s',
    '127.0.0.1',
    String(port),
    pki.leafKeyPem,
    pki.leafCertPem,
  ]);
  await new Promise((r) => setTimeout(r, 200)); // our Initial is retransmitted anyway if it is early
  return { server, port };
}

describe.skipIf(!haveTools)('our HTTP/3 client → ngtcp2 gtlsserver (GnuTLS)', () => {
  let pki: Pki;
  let htdocs: string;
  let server: Child;
  let lossyServer: Child;
  let retryServer: Child;
  let port: number;
  let lossyPort: number;
  let retryPort: number;
  let ours: QuicEndpoint;
  let quic: QuicConnection;
  let h3: H3Connection;
  const blob = random(3_000_000); // more than our 1.25 MB stream window: needs MAX_STREAM_DATA updates
  const lossyBlob = random(1_000_000); // within the initial window (see ngtcp2-repro.test.ts)

  beforeAll(async () => {
    pki = makePki(tools.openssl!);
    htdocs = join(pki.dir, 'htdocs');
    mkdirSync(htdocs);
    writeFileSync(join(htdocs, 'blob.bin'), blob);
    writeFileSync(join(htdocs, 'lossy.bin'), lossyBlob);
    writeFileSync(join(htdocs, 'hello.txt'), 'hello from ngtcp2\n');
    ({ server, port } = await startGtlsServer(pki, htdocs));
    ({ server: lossyServer, port: lossyPort } = await startGtlsServer(pki, htdocs, [
      '-t',
      '0.05',
      '-r',
      '0.05',
    ]));
    ({ server: retryServer, port: retryPort } = await startGtlsServer(pki, htdocs, ['--validate-addr']));
    ours = await QuicEndpoint.bind();
    quic = await withTimeout(
      ours.connect(`127.0.0.1:${port}`, clientCrypto([pki.rootDer])),
      10_000,
      'handshake with gtlsserver',
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\n--- gtlsserver output ---\n${server.tail()}`);
    });
    h3 = await H3Connection.start(quic);
  }, 30_000);

  afterAll(async () => {
    await ours?.close();
    await Promise.all([server?.kill(), lossyServer?.kill(), retryServer?.kill()]);
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('completes the handshake with ALPN h3 and verifies the server certificate against our root', () => {
    expect(new TextDecoder().decode(quic.alpn())).toBe('h3');
    const peer = quic.peerIdentity();
    expect(peer?.kind).toBe('x509');
    expect(peer?.kind === 'x509' && Buffer.from(peer.chain[0]!).equals(Buffer.from(pki.leafDer))).toBe(true);
  });

  it('refuses the server certificate against another root (unknown_ca) or for another name (bad_certificate)', async () => {
    const wrongRoot = ours.connect(`127.0.0.1:${port}`, clientCrypto([pki.otherRootDer]));
    await expect(wrongRoot).rejects.toBeInstanceOf(ConnectionError);
    await expect(wrongRoot).rejects.toThrow(/transport error 0x130/); // CRYPTO_ERROR + unknown_ca (48)
    const wrongName = ours.connect(`127.0.0.1:${port}`, clientCrypto([pki.rootDer], 'example.test'));
    await expect(wrongName).rejects.toThrow(/transport error 0x12a/); // CRYPTO_ERROR + bad_certificate (42)
  });

  it('receives the server SETTINGS on its control stream', async () => {
    const settings = await withTimeout(h3.peerSettings, 5_000, 'SETTINGS');
    expect(settings).toBeInstanceOf(Map);
    expect(h3.peerStreamTypes.slice().sort()).toEqual([0x00, 0x02, 0x03]); // control, QPACK encoder, decoder
    expect(h3.errors).toEqual([]);
  });

  it('GETs a small file (the response has a Huffman-coded literal)', async () => {
    const res = await withTimeout(
      h3.request({ authority: `localhost:${port}`, path: '/hello.txt' }),
      10_000,
      'GET /hello.txt',
    );
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode(res.body)).toBe('hello from ngtcp2\n');
    // nghttp3's QPACK encoder Huffman-codes this value.
    expect(res.headers).toContainEqual(['server', 'nghttp3/ngtcp2 server']);
    expect(res.headers).toContainEqual(['content-length', '18']);
  });

  it('GETs 3 MB and a 404 on concurrent streams', async () => {
    const [big, notFound] = await withTimeout(
      Promise.all([
        h3.request({ authority: `localhost:${port}`, path: '/blob.bin' }),
        h3.request({ authority: `localhost:${port}`, path: '/does-not-exist' }),
      ]),
      20_000,
      'GETs',
    );
    expect(big.status).toBe(200);
    expect(big.body.length).toBe(blob.length);
    expect(sha256(big.body)).toBe(sha256(blob));
    expect(notFound.status).toBe(404);
    expect(h3.errors).toEqual([]);
  });

  it('closes cleanly with H3_NO_ERROR', async () => {
    h3.close();
    expect(await quic.closed()).toMatchObject({ kind: 'application', errorCode: 0x100n, remote: false });
  });

  it('GETs 1 MB from a gtlsserver that drops 5% of packets each way', async () => {
    const c = await withTimeout(
      ours.connect(`127.0.0.1:${lossyPort}`, clientCrypto([pki.rootDer])),
      15_000,
      'lossy handshake',
    );
    const lossy = await H3Connection.start(c);
    const res = await withTimeout(
      lossy.request({ authority: `localhost:${lossyPort}`, path: '/lossy.bin' }),
      20_000,
      'lossy GET',
    );
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(sha256(lossyBlob));
    lossy.close();
  }, 40_000);

  // With --validate-addr, gtlsserver answers every first Initial with a Retry (RFC 9000 §8.1.2): our
  // client must verify it, resend its ClientHello with the token, and check retry_source_connection_id.
  it('follows a Retry from gtlsserver --validate-addr', async () => {
    const c = await withTimeout(
      ours.connect(`127.0.0.1:${retryPort}`, clientCrypto([pki.rootDer])),
      5_000,
      'handshake through Retry',
    );
    const res = await H3Connection.start(c).then((r) =>
      r.request({ authority: `localhost:${retryPort}`, path: '/hello.txt' }),
    );
    expect(res.status).toBe(200);
  }, 10_000);
});

describe.skipIf(!haveTools)('ngtcp2 gtlsclient (GnuTLS) → our HTTP/3 server', () => {
  let pki: Pki;
  let ours: QuicEndpoint;
  let port: string;
  const accepted: QuicConnection[] = [];
  const servers: H3Connection[] = [];
  const requests: { path: string; authority: string; method: string }[] = [];
  const blob = random(3_000_000);

  const handler = (req: { path: string; authority: string; method: string }): H3Response => {
    requests.push({ path: req.path, authority: req.authority, method: req.method });
    if (req.path === '/blob.bin') {
      return { status: 200, headers: [['content-type', 'application/octet-stream']], body: blob };
    }
    if (req.path === '/hello.txt') {
      const text = new TextEncoder().encode('hello from iroh-ts\n');
      return { status: 200, headers: [['content-length', String(text.length)]], body: text };
    }
    return { status: 404, headers: [], body: new Uint8Array(0) };
  };

  beforeAll(async () => {
    pki = makePki(tools.openssl!);
    ours = await QuicEndpoint.bind();
    port = ours.localAddress().split(':').pop()!;
    void (async () => {
      for (;;) {
        const inc = await ours.acceptNext();
        if (!inc) return;
        void (async () => {
          const c = await inc.accept((tp) =>
            createTlsSession({
              side: 'server',
              alpnProtocols: [H3],
              transportParameters: tp,
              identity: { kind: 'x509', chain: [pki.leafDer], privateKeyPkcs8: pki.leafKeyPkcs8 },
              verify: { kind: 'x509', roots: [] },
              random,
            }),
          );
          accepted.push(c);
          const h3 = await H3Connection.start(c);
          servers.push(h3);
          await h3.serve(handler);
        })().catch(() => {});
      }
    })();
  });

  afterAll(async () => {
    await ours?.close();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  /** Runs gtlsclient to completion, saving bodies to a fresh directory. */
  async function runClient(
    paths: readonly string[],
    extra: readonly string[] = ['-q'],
  ): Promise<{ code: number | null; output: string; dir: string }> {
    const dir = mkdtempSync(join(pki.dir, 'download-'));
    const client = new Child(tools.gtlsclient!, [
      ...extra,
      '--exit-on-all-streams-close',
      '--no-http-dump',
      '--timeout=10s',
      `--download=${dir}`,
      '127.0.0.1',
      port,
      ...paths.map((p) => `https://localhost:${port}${p}`),
    ]);
    const code = await withTimeout(client.exited, 25_000, 'gtlsclient').finally(() => client.kill());
    return { code, output: client.output, dir };
  }

  const saved = (dir: string, name: string) => Uint8Array.from(readFileSync(join(dir, name)));

  it('gtlsclient GETs a file; the certificate chain it received verifies against our root', async () => {
    const r = await runClient(['/hello.txt'], []); // not quiet: we parse its CRYPTO dump
    expect(r.code, r.output.slice(-4000)).toBe(0);
    expect(new TextDecoder().decode(saved(r.dir, 'hello.txt'))).toBe('hello from iroh-ts\n');
    expect(r.output).toContain('Negotiated ALPN is h3');
    expect(r.output).toMatch(/\[:status: 200\]/);
    expect(requests[0]).toEqual({ method: 'GET', path: '/hello.txt', authority: `localhost:${port}` });
    expect(new TextDecoder().decode(accepted[0]!.alpn())).toBe('h3');
    // gtlsclient does not check certificates itself, so check what it was sent.
    const chain = certificatesIn(handshakeCryptoFromDump(r.output));
    expect(chain.length).toBe(1);
    const leaf = new X509Certificate(Buffer.from(chain[0]!));
    const root = new X509Certificate(Buffer.from(pki.rootDer));
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(leaf.validFrom) <= Date.now() && Date.now() <= Date.parse(leaf.validTo)).toBe(true);
    expect(servers[0]!.errors).toEqual([]);
  });

  it('gtlsclient GETs 3 MB and a 404 on one connection', async () => {
    const r = await runClient(['/blob.bin', '/missing']);
    expect(r.code, r.output).toBe(0);
    expect(sha256(saved(r.dir, 'blob.bin'))).toBe(sha256(blob));
    expect(requests.map((q) => q.path)).toContain('/missing');
  });

  it('gtlsclient GETs 3 MB while dropping 5% of packets each way', async () => {
    const r = await runClient(['/blob.bin'], ['-q', '-t', '0.05', '-r', '0.05']);
    expect(r.code, r.output).toBe(0);
    expect(sha256(saved(r.dir, 'blob.bin'))).toBe(sha256(blob));
  });

  it('answers a key update initiated by gtlsclient', async () => {
    const r = await runClient(['/hello.txt'], ['--no-quic-dump', '--key-update=5ms', '--delay-stream=100ms']);
    expect(r.code, r.output.slice(-4000)).toBe(0);
    expect(r.output).toContain('Initiate key update');
    // Our packets in the new key phase (k=1) reached it.
    expect(r.output).toMatch(/pkt rx pkn=\d+ dcid=0x[0-9a-f]+ type=1RTT k=1/);
    expect(new TextDecoder().decode(saved(r.dir, 'hello.txt'))).toBe('hello from iroh-ts\n');
  });

  it('keeps serving after gtlsclient rebinds its port (NAT rebinding)', async () => {
    const r = await runClient(
      ['/hello.txt'],
      ['--no-quic-dump', '--change-local-addr=20ms', '--nat-rebinding', '--delay-stream=150ms'],
    );
    expect(r.code, r.output.slice(-4000)).toBe(0);
    const localPorts = new Set(
      [...r.output.matchAll(/Sent packet: local=\[127\.0\.0\.1\]:(\d+)/g)].map((m) => m[1]),
    );
    expect(localPorts.size).toBe(2);
    expect(new TextDecoder().decode(saved(r.dir, 'hello.txt'))).toBe('hello from iroh-ts\n');
  });

  it('sends Version Negotiation for an unknown version; gtlsclient then connects with v1', async () => {
    const r = await runClient(
      ['/hello.txt'],
      ['--no-quic-dump', '-v', '0x1a2a3a4a', '--preferred-versions=v1'],
    );
    expect(r.code, r.output.slice(-4000)).toBe(0);
    expect(r.output).toMatch(/pkt rx 0 VN v=0x00000001/);
    expect(new TextDecoder().decode(saved(r.dir, 'hello.txt'))).toBe('hello from iroh-ts\n');
  });

  it('saw no HTTP/3 errors on any connection', () => {
    expect(servers.length).toBeGreaterThanOrEqual(6);
    expect(servers.flatMap((s) => s.errors)).toEqual([]);
  });
});

describe('minimal HTTP/3 codecs', () => {
  const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
  const str = (s: string) => new TextEncoder().encode(s);

  it('Huffman-decodes and encodes the examples of RFC 7541 Appendix C', () => {
    const examples: [string, string][] = [
      ['www.example.com', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff'],
      ['no-cache', 'a8eb 1064 9cbf'],
      ['custom-key', '25a8 49e9 5ba9 7d7f'],
      ['custom-value', '25a8 49e9 5bb8 e8b4 bf'],
      ['302', '6402'],
      ['private', 'aec3 771a 4b'],
      ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff'],
      ['https://www.example.com', '9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3'],
      [
        'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
        '94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
      ],
    ];
    for (const [text, code] of examples) {
      expect(new TextDecoder().decode(huffmanDecode(hex(code)))).toBe(text);
      expect(Buffer.from(huffmanEncode(str(text))).toString('hex')).toBe(code.replace(/\s/g, ''));
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(huffmanDecode(huffmanEncode(all))).toEqual(all);
    expect(() => huffmanDecode(hex('ff ff ff ff'))).toThrow(/EOS/);
    expect(() => huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff ff'))).toThrow(/padding/); // 8+ bits
    expect(() => huffmanDecode(hex('00'))).toThrow(/padding/); // '0' then 3 zero bits
  });

  it('encodes prefix integers as RFC 7541 C.1', () => {
    expect([...encodePrefixInt(10, 5, 0)]).toEqual([0x0a]);
    expect([...encodePrefixInt(1337, 5, 0)]).toEqual([0x1f, 0x9a, 0x0a]);
    expect([...encodePrefixInt(42, 8, 0)]).toEqual([0x2a]);
  });

  it('has the 99-entry QPACK static table of RFC 9204 Appendix A', () => {
    expect(STATIC_TABLE.length).toBe(99);
    expect(STATIC_TABLE[0]).toEqual([':authority', '']);
    expect(STATIC_TABLE[17]).toEqual([':method', 'GET']);
    expect(STATIC_TABLE[25]).toEqual([':status', '200']);
    expect(STATIC_TABLE[63]).toEqual([':status', '100']);
    expect(STATIC_TABLE[72]).toEqual(['accept-language', '']);
    expect(STATIC_TABLE[98]).toEqual(['x-frame-options', 'sameorigin']);
  });

  it('round-trips a request and a response field section through QPACK', () => {
    const request: Field[] = [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':authority', 'localhost:4433'],
      [':path', '/'],
      ['user-agent', 'iroh-ts'],
      ['x-custom', 'v'],
    ];
    const block = encodeFieldSection(request);
    // Required Insert Count 0, Base 0, :method GET = static 17, :scheme https = static 23.
    expect([...block.subarray(0, 4)]).toEqual([0x00, 0x00, 0xc0 | 17, 0xc0 | 23]);
    expect(decodeFieldSection(block)).toEqual(request);
    const response: Field[] = [
      [':status', '200'],
      ['content-length', '5'],
    ];
    expect(decodeFieldSection(encodeFieldSection(response))).toEqual(response);
  });

  it('decodes Huffman-coded literals and rejects dynamic-table references', () => {
    // Literal with static name reference 0 (:authority), Huffman value "www.example.com".
    const value = hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff');
    expect(decodeFieldSection(Uint8Array.from([0x00, 0x00, 0x50, 0x80 | value.length, ...value]))).toEqual([
      [':authority', 'www.example.com'],
    ]);
    // Literal with literal name, both Huffman: name "custom-key" (length 10 = 7 + 3), value "custom-value".
    const name = hex('25a8 49e9 5ba9 7d7f');
    const v2 = hex('25a8 49e9 5bb8 e8b4 bf');
    const block = Uint8Array.from([0x00, 0x00, 0x2f, name.length - 7, ...name, 0x80 | v2.length, ...v2]);
    expect(decodeFieldSection(block)).toEqual([['custom-key', 'custom-value']]);
    expect(() => decodeFieldSection(Uint8Array.of(0x02, 0x00, 0x80))).toThrow(/Required Insert Count/);
    expect(() => decodeFieldSection(Uint8Array.of(0x00, 0x00, 0x80))).toThrow(/dynamic/);
    expect(() => decodeFieldSection(Uint8Array.of(0x00, 0x00, 0x10))).toThrow(/post-base/);
  });
});

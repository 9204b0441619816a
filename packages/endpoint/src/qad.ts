/**
 * QUIC Address Discovery (QAD) against the configured relays (shared/spec §5.9): from the endpoint's
 * own UDP socket, a QUIC connection to `<relay host IP>:<QAD port, 7842>` with ALPN `/iroh-qad/0`,
 * checked against the relay's X.509 certificate, asking for OBSERVED_ADDRESS reports. The address the
 * relay sees us at is our reflexive (public) address: a candidate for hole punching and a direct
 * address to publish. Reports run at start, on network changes and every 30 s.
 */
import type { FetchFn } from '@iroh-ts/dns-server';
import { createTlsSession, type QuicConnection, type QuicEndpoint } from '@iroh-ts/quic';
import type { CaRootsConfig } from './builder.js';
import type { RelayConfig } from './relay-map.js';
import { Watchable } from './watch.js';

/** QAD's ALPN. */
export const QAD_ALPN = '/iroh-qad/0';
/** iroh's default QAD port. */
export const QAD_DEFAULT_PORT = 7842;
/** A probe gives up after this long (ms). */
const PROBE_TIMEOUT_MS = 3000;
/** How often reports run again (ms). */
const REPORT_INTERVAL_MS = 30_000;
/** The QAD client's application close: code 1, "finished". */
const FINISHED = new TextEncoder().encode('finished');

function pemToDer(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem))
    out.push(Uint8Array.from(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

/** The roots QAD checks relay certificates against: the platform's plus the configured extra ones. */
export async function qadRoots(ca: CaRootsConfig | undefined): Promise<Uint8Array[]> {
  // Node modules load lazily: the rest of the package does not need them.
  const [{ rootCertificates }, { X509Certificate }] = await Promise.all([
    import('node:tls'),
    import('node:crypto'),
  ]);
  const roots: Uint8Array[] = [];
  for (const pem of rootCertificates) roots.push(...pemToDer(pem));
  for (const r of ca?.extraRoots ?? []) {
    if (typeof r === 'string') roots.push(...pemToDer(r));
    else {
      try {
        roots.push(Uint8Array.from(new X509Certificate(r).raw));
      } catch {
        // Not a certificate: ignored, like a PEM without certificates.
      }
    }
  }
  return roots;
}

/** Where a relay answers QAD: its host's IPv4 address and the QAD port; `undefined` when unknown. */
async function qadAddress(relay: RelayConfig): Promise<{ addr: string; host: string } | undefined> {
  const [{ lookup }, { isIP }] = await Promise.all([import('node:dns/promises'), import('node:net')]);
  const url = new URL(relay.url);
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const port = relay.quicPort !== undefined && relay.quicPort !== 0 ? relay.quicPort : QAD_DEFAULT_PORT;
  if (isIP(host) === 4) return { addr: `${host}:${port}`, host };
  if (isIP(host) === 6) return undefined; // our sockets probe IPv4 relays only for now
  try {
    const r = await lookup(host, { family: 4 });
    return { addr: `${r.address}:${port}`, host };
  } catch {
    return undefined;
  }
}

/** `/ping` probes per relay and report, and how long one may take (ms). */
const PINGS = 3;
const PING_TIMEOUT_MS = 3000;

/** Runs QAD reports against the relays and keeps the reflexive addresses they saw. */
export class QadClient {
  readonly #quic: QuicEndpoint;
  readonly #relays: () => RelayConfig[];
  readonly #ca: CaRootsConfig | undefined;
  #roots: Promise<Uint8Array[]> | undefined;
  /** Our reflexive addresses (`ip:port`) as the relays last reported them. */
  readonly reflexive = new Watchable<readonly string[]>([], (a, b) => a.join() === b.join());
  /** Each relay's latency (ms, the best of 3 `GET /ping`), from the last report that reached it. */
  readonly latencies = new Map<string, number>();
  /** The relay with the lowest latency in the last report. */
  readonly nearest = new Watchable<string | undefined>(undefined);
  readonly #fetch: FetchFn;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(
    quic: QuicEndpoint,
    relays: () => RelayConfig[],
    ca: CaRootsConfig | undefined,
    fetchFn: FetchFn = (input, init) => fetch(input, init),
  ) {
    this.#fetch = fetchFn;
    this.#quic = quic;
    this.#relays = relays;
    this.#ca = ca;
  }

  /** Runs a report now and then every 30 s. */
  start(): void {
    void this.report();
    this.#timer = setInterval(() => void this.report(), REPORT_INTERVAL_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** One report: probes every relay at once; resolves when all answered or gave up. */
  report(): Promise<void> {
    this.#running ??= this.#report().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #report(): Promise<void> {
    const relays = this.#relays();
    if (relays.length === 0 || this.#closed) return;
    const [seen, pings] = await Promise.all([
      Promise.all(relays.map((r) => this.#probe(r).catch(() => undefined))),
      Promise.all(relays.map((r) => this.#ping(r))),
    ]);
    if (this.#closed) return;
    relays.forEach((r, i) => {
      const ms = pings[i];
      if (ms !== undefined) this.latencies.set(r.url, ms);
    });
    let best: string | undefined;
    for (const [url, ms] of this.latencies)
      if (best === undefined || ms < this.latencies.get(best)!) best = url;
    this.nearest.set(best);
    const addrs = [...new Set(seen.filter((a): a is string => a !== undefined))].sort();
    // A failed report keeps what we knew: a relay that does not answer says nothing about our address.
    if (addrs.length > 0) this.reflexive.set(addrs);
  }

  /** The best of 3 `GET <relay>/ping` round trips (ms), `undefined` when none answered. */
  async #ping(relay: RelayConfig): Promise<number | undefined> {
    const url = new URL('ping', relay.url.endsWith('/') ? relay.url : `${relay.url}/`).toString();
    let best: number | undefined;
    for (let i = 0; i < PINGS && !this.#closed; i++) {
      const t0 = performance.now();
      try {
        const r = await this.#fetch(url, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
        await r.arrayBuffer();
        if (!r.ok) continue;
        const ms = performance.now() - t0;
        if (best === undefined || ms < best) best = ms;
      } catch {
        // Unreachable or too slow: no sample.
      }
    }
    return best;
  }

  async #probe(relay: RelayConfig): Promise<string | undefined> {
    const target = await qadAddress(relay);
    if (!target || this.#closed) return undefined;
    this.#roots ??= qadRoots(this.#ca);
    const roots = await this.#roots;
    const hostIsIp = /^[\d.]+$/.test(target.host) || target.host.includes(':');
    let conn: QuicConnection | undefined;
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), PROBE_TIMEOUT_MS).unref?.());
    const attempt = (async () => {
      conn = await this.#quic.connect(
        target.addr,
        (tp) =>
          createTlsSession({
            side: 'client',
            alpnProtocols: [new TextEncoder().encode(QAD_ALPN)],
            transportParameters: tp,
            verify: { kind: 'x509', roots, serverName: target.host },
            serverName: hostIsIp ? undefined : target.host,
            random: (n) => crypto.getRandomValues(new Uint8Array(n)),
            now: () => Date.now(),
          }),
        {
          transportConfig: {
            addressDiscovery: 'receiveOnly',
            maxIdleTimeout: 35_000,
            initialRtt: 111,
            keepAliveInterval: 25_000,
            maxPathId: undefined,
            maxNatTraversalAddresses: undefined,
            maxConcurrentBidiStreams: 0,
            maxConcurrentUniStreams: 0,
          },
        },
      );
      const c = conn;
      if (c.observedAddress !== undefined) return c.observedAddress;
      return new Promise<string | undefined>((resolve) => {
        const off = c.onPathEvent((e) => {
          if (e.type === 'observed-address') {
            off();
            resolve(e.addr);
          }
        });
        void c.closed().then(() => resolve(undefined));
      });
    })();
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      // A late handshake is closed too, once it completes.
      void attempt.catch(() => undefined).finally(() => conn?.close(1n, FINISHED));
      conn?.close(1n, FINISHED);
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
  }
}

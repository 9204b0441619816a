/**
 * Dialling: the checks and hooks before a connection, address lookup when no address of the remote
 * is known, and the QUIC handshake to `iroh-ep:<id>` (copied by the socket layer to every known path;
 * QUIC's server migration keeps whichever path answers). Typed {@link ConnectError}s for every failure.
 */
import type { EndpointAddr, PublicKey, SecretKey } from '@iroh-ts/base';
import {
  ConnectionError,
  irohClientCrypto,
  type QuicConnection,
  type QuicEndpoint,
  type TransportConfig,
} from '@iroh-ts/quic';
import { ConnectError } from './errors.js';
import { type EndpointHooks, runBeforeConnect } from './hooks.js';
import { type AddressLookup, resolveFirst } from './lookup/index.js';
import { endpointMapped } from './socket/addrs.js';
import type { RemoteMap } from './socket/remote-map.js';

/** How long a dial waits for address lookup when no address is known (ms). */
const LOOKUP_TIMEOUT_MS = 10_000;
/** CONNECTION_REFUSED. */
const REFUSED = 2n;

/** What a dial needs from its endpoint. */
export interface DialContext {
  readonly quic: QuicEndpoint;
  readonly remotes: RemoteMap;
  readonly lookup: AddressLookup;
  readonly secretKey: SecretKey;
  readonly hooks: readonly EndpointHooks[];
  readonly transportConfig: Partial<TransportConfig> | undefined;
  /** Our own direct addresses (never dialled as the remote's). */
  ownDirectAddrs(): Set<string>;
  isClosed(): boolean;
}

/** Dials `addr` with `alpn` and resolves once the handshake proved the remote's id. */
export async function dial(ctx: DialContext, addr: EndpointAddr, alpn: Uint8Array): Promise<QuicConnection> {
  if (alpn.length === 0) throw new ConnectError('EmptyAlpn', 'the ALPN must not be empty');
  const id = addr.id();
  if (id.equals(ctx.secretKey.public()))
    throw new ConnectError('SelfConnect', 'cannot connect to our own EndpointId');
  const verdict = await runBeforeConnect(ctx.hooks, addr, alpn);
  if (verdict.kind === 'reject')
    throw new ConnectError(
      'LocallyRejected',
      `a beforeConnect hook rejected the connection to ${id.fmtShort()}${verdict.reason ? `: ${verdict.reason}` : ''}`,
    );
  const own = ctx.ownDirectAddrs();
  ctx.remotes.add(addr, (ip) => own.has(ip));
  if (!ctx.remotes.has(id)) await lookupAddr(ctx, id, own);
  try {
    return await ctx.quic.connect(
      endpointMapped(id),
      irohClientCrypto({ secretKey: ctx.secretKey, remoteId: id, alpns: [alpn] }),
      { allowServerMigration: true, transportConfig: ctx.transportConfig },
    );
  } catch (e) {
    if (ctx.isClosed()) throw new ConnectError('EndpointClosed', 'the endpoint was closed', { cause: e });
    const refused =
      e instanceof ConnectionError && e.reason?.kind === 'transport' && e.reason.errorCode === REFUSED;
    throw new ConnectError(
      refused ? 'Refused' : 'Connection',
      `connecting to ${id.fmtShort()} failed: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Resolves `id` with the lookup services; throws `NoAddress` when none answers. */
async function lookupAddr(ctx: DialContext, id: PublicKey, own: Set<string>): Promise<void> {
  try {
    const item = await resolveFirst(ctx.lookup, id, { timeoutMs: LOOKUP_TIMEOUT_MS });
    ctx.remotes.add(item.addr, (ip) => own.has(ip));
  } catch (e) {
    throw new ConnectError(
      'NoAddress',
      `no address known for ${id.fmtShort()}, and address lookup found none (${(e as Error).message})`,
      { cause: e },
    );
  }
  if (!ctx.remotes.has(id))
    throw new ConnectError('NoAddress', `no usable address known for ${id.fmtShort()}`);
}

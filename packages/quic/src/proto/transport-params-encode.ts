/**
 * Encoding of QUIC transport parameters (RFC 9000 §18), including iroh's per-connection random order and
 * GREASE parameter, and the parameter values iroh 1.x sends. Sans-IO, no Node imports; randomness is
 * injected, never taken from `Math.random`.
 */
import { VARINT_MAX, Writer } from './coding.js';
import { MAX_CID_LENGTH, RESET_TOKEN_LENGTH } from './frame-types.js';
import {
  INTEGER_PARAMETERS,
  type IpPort,
  type PreferredAddress,
  type RawTransportParameter,
  TransportParameterId,
  type TransportParameters,
} from './transport-params.js';

/** A source of `n` random bytes (e.g. `crypto.getRandomValues(new Uint8Array(n))`). */
export type RandomSource = (n: number) => Uint8Array;

/** Options of {@link encodeTransportParameters}. */
export interface EncodeTransportParametersOptions {
  /**
   * Ids in the order to write them (e.g. `decoded.order`). Parameters whose id is not listed follow, by
   * ascending id. Without `order` and `random`, all parameters are written by ascending id. An integer
   * parameter listed here is written even when it equals its default, so a decoded set re-encodes exactly.
   */
  order?: readonly (number | bigint)[];
  /**
   * Random bytes. Unless `order` is given, the parameters are shuffled (iroh shuffles per connection), and
   * unless `grease` is `false`, one GREASE parameter (id 31·N + 27, 0–15 random bytes) is added.
   */
  random?: RandomSource;
  /** Add a GREASE parameter (default: `true` when `random` is given). Requires `random`. */
  grease?: boolean;
}

/**
 * The transport parameters iroh 1.x sends (spec §3.2; noq defaults plus iroh's overrides), without the
 * per-connection initial_source_connection_id. `initialMaxData` is `Number.MAX_SAFE_INTEGER`, which is
 * written as 2^62 − 1 like iroh's `VarInt::MAX` receive window. min_ack_delay (1000 µs) is included because
 * the frame codec parses ACK_FREQUENCY and IMMEDIATE_ACK. Not included, on purpose: initial_max_path_id
 * (0x3e) and n0 NAT traversal (0x3d7f91120401), which need multipath and NAT traversal support first.
 */
export const IROH_TRANSPORT_PARAMETERS: Readonly<Partial<TransportParameters>> = Object.freeze({
  maxIdleTimeout: 30_000,
  maxUdpPayloadSize: 1472,
  initialMaxData: Number.MAX_SAFE_INTEGER,
  initialMaxStreamDataBidiLocal: 1_250_000,
  initialMaxStreamDataBidiRemote: 1_250_000,
  initialMaxStreamDataUni: 1_250_000,
  initialMaxStreamsBidi: 100,
  initialMaxStreamsUni: 100,
  activeConnectionIdLimit: 5,
  maxDatagramFrameSize: 65_535,
  minAckDelay: 1000,
});

/**
 * iroh's parameters ({@link IROH_TRANSPORT_PARAMETERS}) with this connection's initial source CID and any
 * `overrides` (a server adds original_destination_connection_id and stateless_reset_token). Encode the
 * result with a `random` source to get iroh's shuffled order and GREASE parameter.
 */
export function irohTransportParameters(
  initialSourceConnectionId: Uint8Array,
  overrides: Partial<TransportParameters> = {},
): Partial<TransportParameters> {
  return { ...IROH_TRANSPORT_PARAMETERS, initialSourceConnectionId, ...overrides };
}

function varintValue(v: number, max: bigint = VARINT_MAX): Uint8Array {
  return new Writer(8).varint(v === Number.MAX_SAFE_INTEGER ? max : v).finish();
}

function checkCid(what: string, c: Uint8Array): Uint8Array {
  if (c.length > MAX_CID_LENGTH) throw new RangeError(`${what} of ${c.length} bytes`);
  return c;
}

function writeIpPort(w: Writer, a: IpPort | undefined, n: 4 | 16): void {
  if (a && a.address.length !== n) throw new RangeError(`address of ${a.address.length} bytes, want ${n}`);
  w.bytes(a ? a.address : new Uint8Array(n)).u16(a ? a.port : 0);
}

function preferredAddressValue(p: PreferredAddress): Uint8Array {
  if (!p.ipv4 && !p.ipv6) throw new RangeError('preferred address without an address');
  const len = p.connectionId.length;
  if (len < 1 || len > MAX_CID_LENGTH) throw new RangeError(`preferred address CID of ${len} bytes`);
  if (p.statelessResetToken.length !== RESET_TOKEN_LENGTH)
    throw new RangeError('reset token must be 16 bytes');
  const w = new Writer(61);
  writeIpPort(w, p.ipv4, 4);
  writeIpPort(w, p.ipv6, 16);
  w.u8(len).bytes(p.connectionId).bytes(p.statelessResetToken);
  return w.finish();
}

/** The (id, value) entries `params` produces (in no particular order); `keep`: ids written even if default. */
function entries(params: Partial<TransportParameters>, keep: ReadonlySet<bigint>): RawTransportParameter[] {
  const out: RawTransportParameter[] = [];
  const add = (id: number, value: Uint8Array): void => {
    out.push({ id: BigInt(id), value });
  };
  const ID = TransportParameterId;
  const empty = new Uint8Array(0);
  if (params.originalDestinationConnectionId)
    add(ID.ORIGINAL_DESTINATION_CONNECTION_ID, checkCid('CID', params.originalDestinationConnectionId));
  for (const [id, key, def, max] of INTEGER_PARAMETERS) {
    const v = params[key];
    if (v !== undefined && (v !== def || keep.has(BigInt(id)))) add(id, varintValue(v, max));
  }
  if (params.statelessResetToken) {
    if (params.statelessResetToken.length !== RESET_TOKEN_LENGTH)
      throw new RangeError('reset token must be 16 bytes');
    add(ID.STATELESS_RESET_TOKEN, params.statelessResetToken);
  }
  if (params.disableActiveMigration) add(ID.DISABLE_ACTIVE_MIGRATION, empty);
  if (params.preferredAddress) add(ID.PREFERRED_ADDRESS, preferredAddressValue(params.preferredAddress));
  if (params.initialSourceConnectionId)
    add(ID.INITIAL_SOURCE_CONNECTION_ID, checkCid('CID', params.initialSourceConnectionId));
  if (params.retrySourceConnectionId)
    add(ID.RETRY_SOURCE_CONNECTION_ID, checkCid('CID', params.retrySourceConnectionId));
  if (params.maxDatagramFrameSize !== undefined)
    add(ID.MAX_DATAGRAM_FRAME_SIZE, varintValue(params.maxDatagramFrameSize));
  if (params.initialMaxPathId !== undefined) {
    if (params.initialMaxPathId > 0xffffffff) throw new RangeError('initial_max_path_id above 2^32 - 1');
    add(ID.INITIAL_MAX_PATH_ID, varintValue(params.initialMaxPathId));
  }
  if (params.greaseQuicBit) add(ID.GREASE_QUIC_BIT, empty);
  if (params.addressDiscovery !== undefined) {
    const role = ['sendOnly', 'receiveOnly', 'both'].indexOf(params.addressDiscovery);
    if (role < 0) throw new RangeError(`unknown address discovery role ${params.addressDiscovery}`);
    add(ID.OBSERVED_ADDRESS, varintValue(role));
  }
  if (params.minAckDelay !== undefined) add(ID.MIN_ACK_DELAY, varintValue(params.minAckDelay));
  if (params.maxRemoteNatTraversalAddresses !== undefined) {
    const n = params.maxRemoteNatTraversalAddresses;
    if (!Number.isInteger(n) || n < 1 || n > 255) throw new RangeError(`NAT traversal address count ${n}`);
    add(ID.N0_NAT_TRAVERSAL, Uint8Array.of(n)); // a raw byte, not a varint
  }
  for (const u of params.unknown ?? []) out.push(u);
  return out;
}

function randomBytes(random: RandomSource, n: number): Uint8Array {
  const b = random(n);
  if (b.length !== n) throw new RangeError(`random source returned ${b.length} bytes, wanted ${n}`);
  return b;
}

/** A uniform integer in `[0, n)` for `1 <= n <= 2^32`, by rejection sampling. */
export function randomBelow(random: RandomSource, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`invalid bound ${n}`);
  const limit = 2 ** 32 - (2 ** 32 % n);
  for (;;) {
    const b = randomBytes(random, 4);
    const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (x < limit) return x % n;
  }
}

/** A reserved GREASE parameter (RFC 9000 §18.1): id 31·N + 27 below 2^62, 0–15 random bytes. */
export function greaseTransportParameter(random: RandomSource): RawTransportParameter {
  const limit = (1n << 62n) - 27n;
  let x: bigint;
  do {
    const b = randomBytes(random, 8);
    x = 0n;
    for (const byte of b) x = (x << 8n) | BigInt(byte);
    x &= VARINT_MAX;
  } while (x >= limit);
  const len = randomBelow(random, 16);
  return {
    id: (x / 31n) * 31n + 27n,
    value: len === 0 ? new Uint8Array(0) : randomBytes(random, len).slice(),
  };
}

/** Whether `id` is a reserved GREASE transport parameter id (31·N + 27). */
export function isGreaseTransportParameterId(id: bigint | number): boolean {
  return BigInt(id) % 31n === 27n;
}

/**
 * Encodes transport parameters as a `quic_transport_parameters` extension body. Only parameters that
 * differ from their RFC default (integers, unless listed in `options.order`), are `true` (flags) or are
 * defined (everything else) are written,
 * so the extension ids 0x3e, 0x3d7f91120401 and 0x9f81a176 appear only when set. `params.unknown` entries
 * are written verbatim. Values are written as minimal varints. Throws `RangeError` on invalid values.
 */
export function encodeTransportParameters(
  params: Partial<TransportParameters>,
  options: EncodeTransportParametersOptions = {},
): Uint8Array {
  const { order, random } = options;
  const list = entries(params, new Set((order ?? []).map((id) => BigInt(id))));
  if (options.grease ?? random !== undefined) {
    if (!random) throw new RangeError('a GREASE parameter needs a random source');
    let g = greaseTransportParameter(random);
    while (list.some((e) => e.id === g.id)) g = greaseTransportParameter(random);
    list.push(g);
  }
  const ids = new Set(list.map((e) => e.id));
  if (ids.size !== list.length) throw new RangeError('duplicate transport parameter id');
  if (order) {
    const rank = new Map<bigint, number>();
    order.forEach((id, i) => {
      if (!rank.has(BigInt(id))) rank.set(BigInt(id), i);
    });
    const key = (e: RawTransportParameter): number => rank.get(e.id) ?? Number.POSITIVE_INFINITY;
    list.sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } else if (random) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = randomBelow(random, i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  } else {
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  const w = new Writer(256);
  for (const e of list) w.varint(e.id).varint(e.value.length).bytes(e.value);
  return w.finish();
}

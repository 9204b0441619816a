/**
 * QUIC transport parameters (RFC 9000 §7.4, §18): the TLS `quic_transport_parameters` extension body.
 * Covers every RFC 9000 parameter, max_datagram_frame_size (RFC 9221), grease_quic_bit (RFC 9287),
 * min_ack_delay (draft-ietf-quic-ack-frequency), and iroh's extensions: initial_max_path_id (multipath),
 * n0 NAT traversal and observed_address (address discovery). Sans-IO, no Node imports.
 *
 * Integer parameters follow the saturating convention of the frame codec: values above 2^53 − 1 decode
 * as `Number.MAX_SAFE_INTEGER`, which the encoder writes back as the protocol maximum (2^62 − 1, or 2^60
 * for stream counts). `initial_max_path_id` is the exception: it must fit in 32 bits.
 */
import { CodecError, Reader, VARINT_MAX } from './coding.js';
import { MAX_CID_LENGTH, MAX_STREAM_COUNT, RESET_TOKEN_LENGTH } from './frame-types.js';
import { TransportError } from './transport-error.js';

/** Transport parameter ids this codec understands. */
export const TransportParameterId = {
  ORIGINAL_DESTINATION_CONNECTION_ID: 0x00,
  MAX_IDLE_TIMEOUT: 0x01,
  STATELESS_RESET_TOKEN: 0x02,
  MAX_UDP_PAYLOAD_SIZE: 0x03,
  INITIAL_MAX_DATA: 0x04,
  INITIAL_MAX_STREAM_DATA_BIDI_LOCAL: 0x05,
  INITIAL_MAX_STREAM_DATA_BIDI_REMOTE: 0x06,
  INITIAL_MAX_STREAM_DATA_UNI: 0x07,
  INITIAL_MAX_STREAMS_BIDI: 0x08,
  INITIAL_MAX_STREAMS_UNI: 0x09,
  ACK_DELAY_EXPONENT: 0x0a,
  MAX_ACK_DELAY: 0x0b,
  DISABLE_ACTIVE_MIGRATION: 0x0c,
  PREFERRED_ADDRESS: 0x0d,
  ACTIVE_CONNECTION_ID_LIMIT: 0x0e,
  INITIAL_SOURCE_CONNECTION_ID: 0x0f,
  RETRY_SOURCE_CONNECTION_ID: 0x10,
  MAX_DATAGRAM_FRAME_SIZE: 0x20,
  INITIAL_MAX_PATH_ID: 0x3e,
  GREASE_QUIC_BIT: 0x2ab2,
  OBSERVED_ADDRESS: 0x9f81a176,
  MIN_ACK_DELAY: 0xff04de1b,
  N0_NAT_TRAVERSAL: 0x3d7f91120401,
} as const;

/** Which endpoint sent a set of transport parameters. */
export type TransportParameterSender = 'client' | 'server';

/** observed_address (0x9f81a176) values: 0 = willing to send reports, 1 = wants to receive them, 2 = both. */
export type AddressDiscoveryRole = 'sendOnly' | 'receiveOnly' | 'both';
const ROLES: readonly AddressDiscoveryRole[] = ['sendOnly', 'receiveOnly', 'both'];

/** An IP address (4 or 16 raw bytes) and port. */
export interface IpPort {
  address: Uint8Array;
  port: number;
}

/** preferred_address (0x0d). An all-zero address family (0.0.0.0:0, [::]:0) is `undefined`. */
export interface PreferredAddress {
  ipv4: IpPort | undefined;
  ipv6: IpPort | undefined;
  connectionId: Uint8Array;
  statelessResetToken: Uint8Array;
}

/** A parameter kept as raw bytes: unknown ids, including GREASE ids (31·N + 27). */
export interface RawTransportParameter {
  id: bigint;
  value: Uint8Array;
}

/** Transport parameters with RFC defaults applied for absent ones. Byte fields are views into the input. */
export interface TransportParameters {
  originalDestinationConnectionId: Uint8Array | undefined;
  /** Milliseconds; 0 = no idle timeout. */
  maxIdleTimeout: number;
  statelessResetToken: Uint8Array | undefined;
  maxUdpPayloadSize: number;
  initialMaxData: number;
  initialMaxStreamDataBidiLocal: number;
  initialMaxStreamDataBidiRemote: number;
  initialMaxStreamDataUni: number;
  initialMaxStreamsBidi: number;
  initialMaxStreamsUni: number;
  ackDelayExponent: number;
  /** Milliseconds. */
  maxAckDelay: number;
  disableActiveMigration: boolean;
  preferredAddress: PreferredAddress | undefined;
  activeConnectionIdLimit: number;
  initialSourceConnectionId: Uint8Array | undefined;
  retrySourceConnectionId: Uint8Array | undefined;
  /** Largest DATAGRAM frame accepted; `undefined` = DATAGRAM not supported. */
  maxDatagramFrameSize: number | undefined;
  /** RFC 9287: the sender accepts packets with the fixed bit cleared. */
  greaseQuicBit: boolean;
  /** Microseconds; set = the sender accepts ACK_FREQUENCY / IMMEDIATE_ACK. */
  minAckDelay: number | undefined;
  /** Multipath (0x3e): the highest path id the sender allows initially. */
  initialMaxPathId: number | undefined;
  /** n0 NAT traversal (0x3d7f91120401): max addresses the sender accepts (raw u8, 1–255). */
  maxRemoteNatTraversalAddresses: number | undefined;
  /** Address discovery (0x9f81a176). */
  addressDiscovery: AddressDiscoveryRole | undefined;
  /** Unknown parameters (GREASE included), in the order received; the encoder writes them verbatim. */
  unknown: RawTransportParameter[];
}

/** Decoded parameters plus the order their ids appeared in (for byte-exact re-encoding). */
export interface DecodedTransportParameters extends TransportParameters {
  order: bigint[];
}

/** Names of the integer parameters that have an RFC default. */
export type IntegerParameterKey =
  | 'maxIdleTimeout'
  | 'maxUdpPayloadSize'
  | 'initialMaxData'
  | 'initialMaxStreamDataBidiLocal'
  | 'initialMaxStreamDataBidiRemote'
  | 'initialMaxStreamDataUni'
  | 'initialMaxStreamsBidi'
  | 'initialMaxStreamsUni'
  | 'ackDelayExponent'
  | 'maxAckDelay'
  | 'activeConnectionIdLimit';

/**
 * The integer parameters that have an RFC default, as `[id, field, default, protocol maximum]`. The
 * encoder omits a field equal to its default and writes `Number.MAX_SAFE_INTEGER` as the maximum.
 */
export const INTEGER_PARAMETERS: readonly (readonly [number, IntegerParameterKey, number, bigint])[] = [
  [0x01, 'maxIdleTimeout', 0, VARINT_MAX],
  [0x03, 'maxUdpPayloadSize', 65527, VARINT_MAX],
  [0x04, 'initialMaxData', 0, VARINT_MAX],
  [0x05, 'initialMaxStreamDataBidiLocal', 0, VARINT_MAX],
  [0x06, 'initialMaxStreamDataBidiRemote', 0, VARINT_MAX],
  [0x07, 'initialMaxStreamDataUni', 0, VARINT_MAX],
  [0x08, 'initialMaxStreamsBidi', 0, BigInt(MAX_STREAM_COUNT)],
  [0x09, 'initialMaxStreamsUni', 0, BigInt(MAX_STREAM_COUNT)],
  [0x0a, 'ackDelayExponent', 3, VARINT_MAX],
  [0x0b, 'maxAckDelay', 25, VARINT_MAX],
  [0x0e, 'activeConnectionIdLimit', 2, VARINT_MAX],
];
const INT_BY_ID = new Map(INTEGER_PARAMETERS.map((p) => [BigInt(p[0]), p] as const));

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);

/** The RFC 9000 defaults (what a peer that sends no parameters implies). */
export function defaultTransportParameters(): TransportParameters {
  const p: TransportParameters = {
    originalDestinationConnectionId: undefined,
    maxIdleTimeout: 0,
    statelessResetToken: undefined,
    maxUdpPayloadSize: 0,
    initialMaxData: 0,
    initialMaxStreamDataBidiLocal: 0,
    initialMaxStreamDataBidiRemote: 0,
    initialMaxStreamDataUni: 0,
    initialMaxStreamsBidi: 0,
    initialMaxStreamsUni: 0,
    ackDelayExponent: 0,
    maxAckDelay: 0,
    disableActiveMigration: false,
    preferredAddress: undefined,
    activeConnectionIdLimit: 0,
    initialSourceConnectionId: undefined,
    retrySourceConnectionId: undefined,
    maxDatagramFrameSize: undefined,
    greaseQuicBit: false,
    minAckDelay: undefined,
    initialMaxPathId: undefined,
    maxRemoteNatTraversalAddresses: undefined,
    addressDiscovery: undefined,
    unknown: [],
  };
  for (const [, key, def] of INTEGER_PARAMETERS) p[key] = def;
  return p;
}

const saturate = (v: bigint): number => (v > MAX_SAFE_BIG ? MAX_SAFE : Number(v));

/** Reads a value that must be exactly one varint. */
function intValue(v: Reader): bigint {
  const x = v.varintBig();
  v.finish('transport parameter value');
  return x;
}

function cid(v: Reader): Uint8Array {
  if (v.remaining > MAX_CID_LENGTH)
    throw new CodecError('InvalidValue', `connection id of ${v.remaining} bytes`);
  return v.bytes(v.remaining);
}

function ipPort(v: Reader, n: 4 | 16): IpPort | undefined {
  const address = v.bytes(n);
  const port = v.u16();
  return port === 0 && address.every((b) => b === 0) ? undefined : { address, port };
}

function preferredAddress(v: Reader): PreferredAddress {
  const ipv4 = ipPort(v, 4);
  const ipv6 = ipPort(v, 16);
  const len = v.u8();
  if (len < 1 || len > MAX_CID_LENGTH)
    throw new CodecError('InvalidValue', `preferred address CID length ${len}`);
  const connectionId = v.bytes(len);
  const statelessResetToken = v.bytes(RESET_TOKEN_LENGTH);
  v.finish('preferred_address');
  if (!ipv4 && !ipv6) throw new CodecError('InvalidValue', 'preferred address without an address');
  return { ipv4, ipv6, connectionId, statelessResetToken };
}

function decodeOne(p: DecodedTransportParameters, id: bigint, v: Reader): void {
  const int = INT_BY_ID.get(id);
  if (int) {
    const x = intValue(v);
    if (int[3] !== VARINT_MAX && x > int[3]) throw new CodecError('InvalidValue', 'stream count above 2^60');
    p[int[1]] = saturate(x);
    return;
  }
  const empty = (): true => {
    v.finish('flag parameter');
    return true;
  };
  switch (id) {
    case 0x00n: // original_destination_connection_id
      p.originalDestinationConnectionId = cid(v);
      return;
    case 0x02n: // stateless_reset_token
      if (v.remaining !== RESET_TOKEN_LENGTH) throw new CodecError('InvalidValue', 'reset token length');
      p.statelessResetToken = v.bytes(RESET_TOKEN_LENGTH);
      return;
    case 0x0cn: // disable_active_migration
      p.disableActiveMigration = empty();
      return;
    case 0x0dn: // preferred_address
      p.preferredAddress = preferredAddress(v);
      return;
    case 0x0fn: // initial_source_connection_id
      p.initialSourceConnectionId = cid(v);
      return;
    case 0x10n: // retry_source_connection_id
      p.retrySourceConnectionId = cid(v);
      return;
    case 0x20n: // max_datagram_frame_size
      p.maxDatagramFrameSize = saturate(intValue(v));
      return;
    case 0x2ab2n: // grease_quic_bit
      p.greaseQuicBit = empty();
      return;
    case 0xff04de1bn: // min_ack_delay
      p.minAckDelay = saturate(intValue(v));
      return;
    case 0x3en: {
      // initial_max_path_id
      const x = intValue(v);
      if (x > 0xffffffffn) throw new CodecError('InvalidValue', 'path id above 2^32 - 1');
      p.initialMaxPathId = Number(x);
      return;
    }
    case 0x3d7f91120401n: {
      // n0 NAT traversal
      // The value is a raw byte, not a varint.
      const x = v.u8();
      v.finish('n0 NAT traversal');
      if (x === 0) throw new CodecError('InvalidValue', 'zero NAT traversal addresses');
      p.maxRemoteNatTraversalAddresses = x;
      return;
    }
    case 0x9f81a176n: {
      // observed_address
      const x = intValue(v);
      if (x > 2n) throw new CodecError('InvalidValue', `observed address role ${x}`);
      p.addressDiscovery = ROLES[Number(x)]!;
      return;
    }
    default:
      p.unknown.push({ id, value: v.bytes(v.remaining) });
  }
}

/** RFC 9000 §18.2 / §7.4 and draft-ietf-quic-ack-frequency §3 semantic checks. */
function validate(p: TransportParameters, sender: TransportParameterSender): void {
  const fail = (why: string): never => {
    throw TransportError.transportParameter(why);
  };
  if (p.maxUdpPayloadSize < 1200) fail(`max_udp_payload_size ${p.maxUdpPayloadSize} < 1200`);
  if (p.ackDelayExponent > 20) fail(`ack_delay_exponent ${p.ackDelayExponent} > 20`);
  if (p.maxAckDelay >= 2 ** 14) fail(`max_ack_delay ${p.maxAckDelay} >= 2^14`);
  if (p.activeConnectionIdLimit < 2) fail(`active_connection_id_limit ${p.activeConnectionIdLimit} < 2`);
  if (p.minAckDelay !== undefined && p.minAckDelay > p.maxAckDelay * 1000)
    fail('min_ack_delay > max_ack_delay');
  if (sender === 'client') {
    if (p.originalDestinationConnectionId) fail('client sent original_destination_connection_id');
    if (p.preferredAddress) fail('client sent preferred_address');
    if (p.retrySourceConnectionId) fail('client sent retry_source_connection_id');
    if (p.statelessResetToken) fail('client sent stateless_reset_token');
  }
}

/**
 * Decodes a `quic_transport_parameters` extension body sent by `sender`. Absent parameters take their RFC
 * defaults; unknown ones (GREASE included) are kept in `unknown`. Throws {@link TransportError}
 * TRANSPORT_PARAMETER_ERROR for malformed input, duplicates, out-of-range values and server-only
 * parameters sent by a client. Does not check that required parameters (initial_source_connection_id,
 * original_destination_connection_id from a server) are present: that needs connection state.
 */
export function decodeTransportParameters(
  data: Uint8Array,
  sender: TransportParameterSender,
): DecodedTransportParameters {
  const p: DecodedTransportParameters = { ...defaultTransportParameters(), order: [] };
  const seen = new Set<bigint>();
  const r = new Reader(data);
  let id: bigint | undefined;
  try {
    while (!r.eof) {
      id = undefined;
      id = r.varintBig();
      const len = r.varint();
      const v = r.take(len);
      if (seen.has(id)) throw new CodecError('InvalidValue', 'duplicate parameter');
      seen.add(id);
      p.order.push(id);
      decodeOne(p, id, v);
    }
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const where = id === undefined ? '' : ` in parameter 0x${id.toString(16)}`;
    throw TransportError.transportParameter(`${e.message}${where}`);
  }
  validate(p, sender);
  return p;
}

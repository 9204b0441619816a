/**
 * A minimal HTTP/3 (RFC 9114) endpoint over an `@iroh-ts/quic` connection, for interop tests against
 * other QUIC stacks: both sides open their control stream (SETTINGS first) and the two QPACK streams
 * (left empty: with a zero dynamic table capacity there are no instructions to send), read the peer's
 * control stream, and exchange one request and one response per bidirectional stream. No push, no
 * dynamic QPACK table, no trailers on our side (the peer's are read and returned).
 */
import type { QuicConnection, RecvStream, SendStream } from '@iroh-ts/quic';
import {
  decodeSettings,
  encodeFrame,
  encodeSettings,
  type Frame,
  FrameReader,
  FrameType,
  H3Error,
  H3ProtocolError,
  Setting,
  StreamType,
} from './frames.js';
import { decodeFieldSection, encodeFieldSection, type Field, QpackError } from './qpack.js';
import { concat, encodeVarint } from './varint.js';

/** An HTTP/3 request as the server sees it. */
export interface H3Request {
  readonly method: string;
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /** Every field line as received, pseudo-headers included. */
  readonly fields: readonly Field[];
  readonly body: Uint8Array;
}

/** An HTTP/3 response. */
export interface H3Response {
  readonly status: number;
  /** Regular (non-pseudo) header fields. */
  readonly headers: readonly Field[];
  readonly body: Uint8Array;
  /** Trailer fields, if the peer sent any. */
  readonly trailers?: readonly Field[];
}

/** What {@link H3Connection.request} sends. */
export interface RequestOptions {
  readonly method?: string;
  readonly scheme?: string;
  readonly authority: string;
  readonly path: string;
  readonly headers?: readonly Field[];
  readonly body?: Uint8Array;
}

/** Our SETTINGS: no dynamic QPACK table, no blocked streams. */
const OUR_SETTINGS: ReadonlyMap<number, number> = new Map([
  [Setting.QPACK_MAX_TABLE_CAPACITY, 0],
  [Setting.QPACK_BLOCKED_STREAMS, 0],
]);

/** A decoded message: its first field section, its body and its trailers. */
interface Message {
  readonly fields: Field[];
  readonly body: Uint8Array;
  readonly trailers: Field[] | undefined;
}

/**
 * Reads one HTTP message from a request stream (§4.1): HEADERS, DATA*, optional trailing HEADERS, end
 * of stream. Interim (1xx) responses are skipped when `interim` is set.
 */
async function readMessage(stream: RecvStream, interim: boolean): Promise<Message> {
  const reader = new FrameReader(stream);
  let fields: Field[] | undefined;
  let trailers: Field[] | undefined;
  const body: Uint8Array[] = [];
  for (let f = await reader.frame(); f !== null; f = await reader.frame()) {
    if (f.type === FrameType.HEADERS) {
      if (trailers) throw new H3ProtocolError('HEADERS after trailers', H3Error.MESSAGE_ERROR);
      const decoded = decodeFieldSection(f.payload);
      if (fields === undefined) {
        const status = decoded.find(([n]) => n === ':status')?.[1];
        if (!(interim && status?.startsWith('1'))) fields = decoded;
      } else {
        trailers = decoded;
      }
    } else if (f.type === FrameType.DATA) {
      if (fields === undefined) throw new H3ProtocolError('DATA before HEADERS', H3Error.MESSAGE_ERROR);
      if (trailers) throw new H3ProtocolError('DATA after trailers', H3Error.MESSAGE_ERROR);
      body.push(f.payload);
    } else {
      throw new H3ProtocolError(
        `frame type 0x${f.type.toString(16)} on a request stream`,
        H3Error.FRAME_UNEXPECTED,
      );
    }
  }
  if (fields === undefined)
    throw new H3ProtocolError('request stream ended without HEADERS', H3Error.MESSAGE_ERROR);
  const bytes = concat(body);
  const length = fields.find(([n]) => n === 'content-length')?.[1];
  if (length !== undefined && Number(length) !== bytes.length) {
    throw new H3ProtocolError(
      `content-length ${length} but ${bytes.length} bytes of DATA`,
      H3Error.MESSAGE_ERROR,
    );
  }
  return { fields, body: bytes, trailers };
}

/** Checks that pseudo-header fields precede regular ones and are known (§4.3). */
function checkPseudo(fields: readonly Field[], allowed: readonly string[]): Map<string, string> {
  const pseudo = new Map<string, string>();
  let regular = false;
  for (const [name, value] of fields) {
    if (name.startsWith(':')) {
      if (regular)
        throw new H3ProtocolError(`pseudo-header ${name} after a regular field`, H3Error.MESSAGE_ERROR);
      if (!allowed.includes(name))
        throw new H3ProtocolError(`pseudo-header ${name} not allowed here`, H3Error.MESSAGE_ERROR);
      if (pseudo.has(name)) throw new H3ProtocolError(`duplicate ${name}`, H3Error.MESSAGE_ERROR);
      pseudo.set(name, value);
    } else {
      if (name !== name.toLowerCase())
        throw new H3ProtocolError(`upper-case field name ${name}`, H3Error.MESSAGE_ERROR);
      regular = true;
    }
  }
  return pseudo;
}

async function writeMessage(
  stream: SendStream,
  fields: readonly Field[],
  body: Uint8Array | undefined,
): Promise<void> {
  const frames = [encodeFrame(FrameType.HEADERS, encodeFieldSection(fields))];
  if (body !== undefined && body.length > 0) frames.push(encodeFrame(FrameType.DATA, body));
  await stream.writeAll(concat(frames));
  await stream.finish();
}

/** One side of an HTTP/3 connection. */
export class H3Connection {
  /** The peer's SETTINGS, once its control stream delivered them. */
  readonly peerSettings: Promise<ReadonlyMap<number, number>>;
  /** The stream types of the unidirectional streams the peer opened, in order. */
  readonly peerStreamTypes: number[] = [];
  /** Protocol errors seen: on the peer's unidirectional streams, and (server) on request streams. */
  readonly errors: Error[] = [];
  private settingsReceived!: (s: ReadonlyMap<number, number>) => void;
  private settingsFailed!: (e: Error) => void;
  private controlSeen = false;
  /** Kept open for the lifetime of the connection (closing it is a connection error, §6.2.1). */
  private readonly ourStreams: SendStream[] = [];

  private constructor(readonly quic: QuicConnection) {
    this.peerSettings = new Promise((resolve, reject) => {
      this.settingsReceived = resolve;
      this.settingsFailed = reject;
    });
    this.peerSettings.catch(() => {});
  }

  /** Starts HTTP/3 on an established QUIC connection (ALPN `h3`). */
  static async start(quic: QuicConnection): Promise<H3Connection> {
    const h3 = new H3Connection(quic);
    void h3.acceptUniStreams();
    const control = await quic.openUni();
    await control.writeAll(
      concat([
        encodeVarint(StreamType.CONTROL),
        encodeFrame(FrameType.SETTINGS, encodeSettings(OUR_SETTINGS)),
      ]),
    );
    const encoder = await quic.openUni();
    await encoder.writeAll(encodeVarint(StreamType.QPACK_ENCODER));
    const decoder = await quic.openUni();
    await decoder.writeAll(encodeVarint(StreamType.QPACK_DECODER));
    h3.ourStreams.push(control, encoder, decoder);
    return h3;
  }

  /** Records a connection error and closes the connection with its code (§8). */
  private fail(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.errors.push(err);
    this.settingsFailed(err);
    const code = err instanceof H3ProtocolError ? err.code : H3Error.GENERAL_PROTOCOL_ERROR;
    this.quic.close(code, new TextEncoder().encode(err.message.slice(0, 100)));
  }

  private async acceptUniStreams(): Promise<void> {
    for (;;) {
      let stream: RecvStream;
      try {
        stream = await this.quic.acceptUni();
      } catch (e) {
        this.settingsFailed(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      void this.readUniStream(stream);
    }
  }

  private async readUniStream(stream: RecvStream): Promise<void> {
    const reader = new FrameReader(stream);
    try {
      const type = await reader.varint();
      if (type === null) return;
      this.peerStreamTypes.push(type);
      if (type === StreamType.CONTROL) {
        if (this.controlSeen)
          throw new H3ProtocolError('second control stream', H3Error.STREAM_CREATION_ERROR);
        this.controlSeen = true;
        await this.readControl(reader);
      } else {
        // QPACK encoder/decoder streams carry nothing we need with a zero-capacity table; push streams
        // cannot come (we never send MAX_PUSH_ID); unknown and reserved types must be ignored (§6.2).
        await reader.drain();
      }
    } catch (e) {
      if (this.quic.closeReason() === null) this.fail(e);
    }
  }

  private async readControl(reader: FrameReader): Promise<void> {
    const first: Frame | null = await reader.frame();
    if (first === null || first.type !== FrameType.SETTINGS) {
      throw new H3ProtocolError('control stream does not start with SETTINGS', H3Error.MISSING_SETTINGS);
    }
    this.settingsReceived(decodeSettings(first.payload));
    for (let f = await reader.frame(); f !== null; f = await reader.frame()) {
      if (f.type === FrameType.SETTINGS || f.type === FrameType.DATA || f.type === FrameType.HEADERS) {
        throw new H3ProtocolError(
          `frame 0x${f.type.toString(16)} on the control stream`,
          H3Error.FRAME_UNEXPECTED,
        );
      }
      // GOAWAY, MAX_PUSH_ID, CANCEL_PUSH: nothing to do for a single-request test client/server.
    }
    if (this.quic.closeReason() === null) {
      throw new H3ProtocolError('the peer closed its control stream', H3Error.CLOSED_CRITICAL_STREAM);
    }
  }

  /** Client: sends one request on a new bidirectional stream and reads the response. */
  async request(options: RequestOptions): Promise<H3Response> {
    const { send, recv } = await this.quic.openBi();
    const fields: Field[] = [
      [':method', options.method ?? 'GET'],
      [':scheme', options.scheme ?? 'https'],
      [':authority', options.authority],
      [':path', options.path],
      ...(options.headers ?? []),
    ];
    await writeMessage(send, fields, options.body);
    const msg = await readMessage(recv, true);
    const pseudo = checkPseudo(msg.fields, [':status']);
    const status = Number(pseudo.get(':status'));
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new H3ProtocolError(`bad :status ${pseudo.get(':status')}`, H3Error.MESSAGE_ERROR);
    }
    return {
      status,
      headers: msg.fields.filter(([n]) => !n.startsWith(':')),
      body: msg.body,
      ...(msg.trailers ? { trailers: msg.trailers } : {}),
    };
  }

  /**
   * Server: answers every request stream the peer opens with `handler`, until the connection closes.
   * Malformed requests are answered with a stream reset (H3_MESSAGE_ERROR, or the error's own code)
   * and recorded in `errors`.
   */
  async serve(handler: (req: H3Request) => H3Response | Promise<H3Response>): Promise<void> {
    for (;;) {
      let bi: { send: SendStream; recv: RecvStream };
      try {
        bi = await this.quic.acceptBi();
      } catch {
        return;
      }
      void (async () => {
        try {
          const msg = await readMessage(bi.recv, false);
          const pseudo = checkPseudo(msg.fields, [':method', ':scheme', ':authority', ':path']);
          const method = pseudo.get(':method');
          const scheme = pseudo.get(':scheme');
          const path = pseudo.get(':path');
          if (method === undefined || scheme === undefined || path === undefined || path === '') {
            throw new H3ProtocolError('request without :method, :scheme or :path', H3Error.MESSAGE_ERROR);
          }
          const authority = pseudo.get(':authority') ?? msg.fields.find(([n]) => n === 'host')?.[1] ?? '';
          const res = await handler({ method, scheme, authority, path, fields: msg.fields, body: msg.body });
          await writeMessage(bi.send, [[':status', String(res.status)], ...res.headers], res.body);
        } catch (e) {
          this.errors.push(e instanceof Error ? e : new Error(String(e)));
          const code =
            e instanceof H3ProtocolError
              ? e.code
              : e instanceof QpackError
                ? H3Error.QPACK_DECOMPRESSION_FAILED
                : H3Error.MESSAGE_ERROR;
          await bi.send.reset(code).catch(() => {});
        }
      })();
    }
  }

  /** Closes the connection with H3_NO_ERROR. */
  close(): void {
    this.quic.close(H3Error.NO_ERROR);
  }
}

/**
 * One relay client connection on the server: a thin driver around a `ws` WebSocket that runs the
 * handshake state machine, access control, frame handling and forwarding, keep-alive, the rate
 * limiter and the bounded send queue.
 *
 * Forwarding reuses the received buffer: the frame type and the 32-byte id are rewritten in place
 * (4 → 6, 5 → 7, destination → source) and the same buffer is handed to the recipient's socket.
 * The "send queue" is the recipient's socket write buffer, bounded by the number of writes not yet
 * flushed (512 by default) and by buffered bytes; beyond that datagrams are dropped.
 *
 * Bad input closes only this connection, with a WebSocket close code and a reason.
 *
 * @module
 */
import type { PublicKey } from '@iroh-ts/base';
import type { WebSocket } from 'ws';
import { encodeHandshakeFrame } from '../protos/handshake.js';
import { parseEndpointId } from '../protos/key-cache.js';
import { classifyClientFrame, encodeRelayToClient } from '../protos/relay.js';
import { Status, statusDescription } from '../protos/status.js';
import { PROTOCOL_V2, type ProtocolVersion } from '../protos/version.js';
import { type Access, type ClientRequest, DEFAULT_DENY_REASON } from './access.js';
import type { EndpointRecord, RegisteredClient } from './clients.js';
import { CloseCode } from './close-codes.js';
import type { ServerContext } from './context.js';
import { type ForwardTarget, forwardDatagrams } from './forward.js';
import { ServerKeepAlive } from './keep-alive.js';
import { PauseReason, ReadGate } from './read-gate.js';
import { FrameSender } from './sender.js';
import { type AuthMechanism, ServerHandshake } from './server-handshake.js';
import { TokenBucket } from './token-bucket.js';
import type { UpgradeInfo } from './upgrade.js';

/** Connection phases. */
const State = { Handshake: 0, Authorizing: 1, Active: 2, Closed: 3 } as const;
type State = (typeof State)[keyof typeof State];

const utf8 = new TextEncoder();

function truncateReason(reason: string): string {
  // A close reason is at most 123 bytes of UTF-8.
  let out = reason;
  while (utf8.encode(out).length > 123) out = out.slice(0, -1);
  return out;
}

/** A relay connection. */
export class ServerConnection implements ForwardTarget {
  /** Unique id among this server's connections. */
  readonly id: number;
  /** Negotiated protocol version. */
  readonly version: ProtocolVersion;
  /** @internal Set by the registry. */
  record: EndpointRecord<RegisteredClient> | undefined;
  readonly #ctx: ServerContext;
  readonly #ws: WebSocket;
  /** Request details, dropped once access control has run so idle connections stay small. */
  #upgrade: UpgradeInfo | undefined;
  readonly #onGone: (conn: ServerConnection) => void;
  #state: State = State.Handshake;
  #handshake: ServerHandshake | undefined;
  #endpointId: PublicKey | undefined;
  #key: Uint8Array | undefined;
  readonly #sender: FrameSender;
  #keepAlive: ServerKeepAlive | undefined;
  readonly #gate: ReadGate;
  readonly #startedAt: number;
  #closingSince = 0;
  #lastUnknownDst: Uint8Array | undefined;

  /**
   * @param onGone - Called once when the underlying socket has closed.
   */
  constructor(
    ctx: ServerContext,
    ws: WebSocket,
    id: number,
    version: ProtocolVersion,
    upgrade: UpgradeInfo,
    onGone: (conn: ServerConnection) => void,
  ) {
    this.#ctx = ctx;
    this.#ws = ws;
    this.id = id;
    this.version = version;
    this.#upgrade = upgrade;
    this.#onGone = onGone;
    const now = ctx.now();
    this.#startedAt = now;
    this.#sender = new FrameSender(ctx, ws, upgrade.socket, () => this.terminate('write failed'));
    const rx = ctx.limits.rx;
    const bucket = rx === undefined ? undefined : new TokenBucket(rx.maxBurstBytes, rx.bytesPerSecond, now);
    this.#gate = new ReadGate(ws, bucket, ctx.metrics, () => {
      // Told once per connection, and only v2 has the Status frame.
      if (this.version === PROTOCOL_V2) this.sendStatus(Status.RateLimited);
      this.#log('debug', 'client rate limited');
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.#onMessage(data as Buffer, isBinary);
      } catch (err) {
        // A bug must not take the server down: drop this client only.
        this.#ctx.log({
          level: 'error',
          msg: 'internal error',
          fields: { conn: this.id, error: String(err) },
        });
        this.close(CloseCode.InternalError, 'internal error');
      }
    });
    ws.on('close', () => this.#onSocketClosed());
    ws.on('error', (err) => this.#log('debug', 'websocket error', { error: err.message }));
  }

  /** The authenticated endpoint id, once known. */
  get endpointId(): PublicKey | undefined {
    return this.#endpointId;
  }

  /** True once admitted and registered. */
  get isActive(): boolean {
    return this.#state === State.Active;
  }

  /** Starts the handshake. */
  start(): void {
    const handshake = new ServerHandshake(this.#ctx.random);
    this.#handshake = handshake;
    let step: ReturnType<ServerHandshake['start']>;
    try {
      step = handshake.start(this.#upgrade?.clientAuthHeader, this.#upgrade?.exporter);
    } catch (err) {
      this.#ctx.metrics.authFailures.inc();
      this.close(CloseCode.ProtocolError, (err as Error).message);
      return;
    }
    if (step.kind === 'send') this.#send(step.frame);
    else if (step.kind === 'authenticated') void this.#authorize(step.endpointId, step.mechanism);
  }

  #log(level: 'debug' | 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}): void {
    this.#ctx.log({
      level,
      msg,
      fields: { conn: this.id, endpoint: this.#endpointId?.fmtShort(), ...fields },
    });
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    // Text messages are ignored, as iroh does.
    if (!isBinary || this.#state === State.Closed || this.#closingSince > 0) return;
    const now = this.#ctx.now();
    this.#keepAlive?.received(now);
    this.#gate.consumed(data.length, now);
    if (this.#state === State.Active) this.#onFrame(data);
    else if (this.#state === State.Handshake) this.#onHandshakeFrame(data);
    else this.#protocolError('frame received before the handshake completed');
  }

  #onHandshakeFrame(data: Buffer): void {
    let step: ReturnType<ServerHandshake['handleFrame']>;
    try {
      step = this.#handshake!.handleFrame(data);
    } catch (err) {
      this.#ctx.metrics.authFailures.inc();
      this.close(CloseCode.ProtocolError, (err as Error).message);
      return;
    }
    this.#handshake = undefined;
    if (step.kind === 'denied') {
      this.#ctx.metrics.authFailures.inc();
      this.#send(step.frame);
      this.close(CloseCode.PolicyViolation, step.reason);
    } else if (step.kind === 'authenticated') {
      void this.#authorize(step.endpointId, step.mechanism);
    }
  }

  async #authorize(endpointId: PublicKey, mechanism: AuthMechanism): Promise<void> {
    this.#state = State.Authorizing;
    this.#endpointId = endpointId;
    this.#key = endpointId.bytesView;
    this.#gate.pause(PauseReason.Authorizing);
    const upgrade = this.#upgrade!;
    this.#upgrade = undefined;
    const request: ClientRequest = {
      endpointId,
      connectionId: this.id,
      protocolVersion: this.version,
      url: upgrade.url,
      headers: upgrade.headers,
      authToken: upgrade.authToken,
    };
    let access: Access;
    try {
      access = await this.#ctx.access.onConnect(request);
    } catch (err) {
      this.#log('warn', 'access control failed', { error: (err as Error).message });
      access = { allow: false };
    }
    if (this.#state !== State.Authorizing) return;
    if (!access.allow) {
      const reason = access.reason ?? DEFAULT_DENY_REASON;
      this.#ctx.metrics.accessDenied.inc();
      this.#send(encodeHandshakeFrame({ type: 'serverDeniesAuth', reason }));
      this.close(CloseCode.PolicyViolation, reason);
      return;
    }
    this.#send(encodeHandshakeFrame({ type: 'serverConfirmsAuth' }));
    this.#state = State.Active;
    // The first keep-alive ping goes out after a full interval.
    this.#keepAlive = new ServerKeepAlive(this.#ctx.timing, this.#ctx.now());
    this.#ctx.metrics.accepts.inc();
    this.#ctx.metrics.clients.inc();
    this.#ctx.registry.register(this, endpointId);
    this.#log('debug', 'client connected', { version: this.version, mechanism });
    this.#gate.resume(PauseReason.Authorizing);
  }

  #onFrame(data: Buffer): void {
    let type: number;
    try {
      type = classifyClientFrame(data);
    } catch (err) {
      if ((err as { code?: string }).code === 'UnknownFrameType') this.#ctx.metrics.unknownFrames.inc();
      const tooBig = (err as { code?: string }).code === 'FrameTooLarge';
      this.#protocolError((err as Error).message, tooBig ? CloseCode.MessageTooBig : CloseCode.ProtocolError);
      return;
    }
    const headerLength = 1 << (data[0]! >> 6);
    const m = this.#ctx.metrics;
    if (type === 4 || type === 5) {
      const result = forwardDatagrams(this.#ctx, this.#key!, this.record, data, type, headerLength);
      if (result === 'noRecipient') this.#checkUnknownDst(data, headerLength);
    } else if (type === 9) {
      m.gotPing.inc();
      m.otherPacketsRecv.inc();
      let pong: Uint8Array = data;
      if (headerLength === 1) data[0] = 10;
      else pong = encodeRelayToClient({ type: 'pong', data: data.subarray(headerLength) });
      this.#send(pong);
      m.sentPong.inc();
    } else {
      m.otherPacketsRecv.inc();
      this.#keepAlive?.pong(data.subarray(headerLength), this.#ctx.now());
    }
  }

  /** Validates an unconnected destination id, as iroh parses it; an invalid one closes the client. */
  #checkUnknownDst(data: Buffer, at: number): void {
    const last = this.#lastUnknownDst;
    if (last !== undefined && data.compare(last, 0, 32, at, at + 32) === 0) return;
    const bytes = data.subarray(at, at + 32);
    try {
      parseEndpointId(bytes);
    } catch (err) {
      this.#protocolError((err as Error).message);
      return;
    }
    this.#lastUnknownDst = bytes.slice();
  }

  /** @internal True when another datagram fits in this client's send queue. */
  canQueueDatagram(): boolean {
    return this.#state === State.Active && this.#closingSince === 0 && this.#sender.hasRoom();
  }

  /** @internal Queues an encoded frame for this client. */
  queueFrame(frame: Uint8Array): void {
    this.#sender.send(frame);
  }

  #send(frame: Uint8Array): void {
    this.#sender.send(frame);
  }

  /** Sends a non-datagram frame, counted in `other_packets_*`. */
  #sendOther(frame: Uint8Array): void {
    if (this.#state !== State.Active || this.#closingSince > 0) return;
    if (this.#sender.inflight >= this.#ctx.limits.sendQueueDepth * 2) {
      this.#ctx.metrics.otherPacketsDropped.inc();
      return;
    }
    this.#send(frame);
    this.#ctx.metrics.otherPacketsSent.inc();
  }

  /** Sends a status; v1 clients get the equivalent `Health` text. */
  sendStatus(status: number): void {
    this.#sendOther(
      encodeRelayToClient(
        this.version === PROTOCOL_V2
          ? { type: 'status', status }
          : { type: 'health', problem: statusDescription(status) },
      ),
    );
  }

  /** Sends `EndpointGone(key)`. */
  sendEndpointGone(key: Uint8Array): void {
    const frame = new Uint8Array(33);
    frame[0] = 8;
    frame.set(key, 1);
    this.#sendOther(frame);
  }

  /** Sends `Restarting`. */
  sendRestarting(reconnectInMs: number, tryForMs: number): void {
    this.#sendOther(encodeRelayToClient({ type: 'restarting', reconnectInMs, tryForMs }));
  }

  #protocolError(reason: string, code: number = CloseCode.ProtocolError): void {
    this.#ctx.metrics.protocolErrors.inc();
    this.#log('debug', 'protocol error', { reason });
    this.close(code, reason);
  }

  /**
   * Runs the connection's timers: handshake deadline, write timeout, keep-alive ping and pong
   * timeout, and cutting a connection that lingers after close.
   */
  tick(now: number): void {
    if (this.#closingSince > 0) {
      if (now - this.#closingSince >= this.#ctx.timing.closeGraceMs) this.#ws.terminate();
      return;
    }
    if (this.#state === State.Closed) return;
    const t = this.#ctx.timing;
    if (this.#state !== State.Active) {
      if (now - this.#startedAt >= t.establishTimeoutMs) {
        this.#ctx.metrics.authFailures.inc();
        this.close(CloseCode.PolicyViolation, 'handshake timeout');
      }
      return;
    }
    if (this.#sender.stalled(now, t.writeTimeoutMs)) {
      this.#ctx.metrics.writeTimeouts.inc();
      this.terminate('write timeout');
      return;
    }
    const action = this.#keepAlive?.tick(now);
    if (action === 'timeout') {
      this.#ctx.metrics.pingTimeouts.inc();
      this.close(CloseCode.GoingAway, 'ping timeout');
    } else if (action === 'ping') {
      const frame = new Uint8Array(9);
      frame[0] = 9;
      frame.set(this.#ctx.random(8), 1);
      this.#keepAlive!.pingSent(frame.subarray(1), now);
      this.#sendOther(frame);
    }
  }

  /** Starts a WebSocket close with `code` and `reason`; the connection stops relaying at once. */
  close(code: number, reason: string): void {
    if (this.#closingSince > 0) return;
    this.#cleanup(reason);
    this.#closingSince = Math.max(1, this.#ctx.now());
    try {
      this.#ws.close(code, truncateReason(reason));
    } catch {
      this.#ws.terminate();
    }
  }

  /** Drops the connection without a closing handshake. */
  terminate(reason: string): void {
    this.#cleanup(reason);
    this.#ws.terminate();
  }

  #cleanup(reason: string): void {
    const previous = this.#state;
    if (previous === State.Closed) return;
    this.#state = State.Closed;
    this.#gate.dispose();
    if (previous === State.Active) {
      this.#ctx.registry.unregister(this);
      this.#ctx.metrics.disconnects.inc();
      this.#ctx.metrics.clients.dec();
      try {
        this.#ctx.access.onDisconnect?.(this.#endpointId!, this.id);
      } catch (err) {
        this.#log('warn', 'access control onDisconnect failed', { error: (err as Error).message });
      }
      this.#log('debug', 'client disconnected', { reason });
    } else {
      this.#log('debug', 'connection closed during handshake', { reason });
    }
  }

  #onSocketClosed(): void {
    this.#cleanup('connection closed');
    this.#onGone(this);
  }
}

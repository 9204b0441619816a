// Load generator for the relay benchmark (tooling/bench/src/relay.mjs), run as a child process and
// driven over IPC. It speaks the relay protocol over a deliberately small WebSocket client written on
// `node:net` (no `ws`: it is not a dependency of this package, and a raw client keeps per-client memory
// and CPU low so that the generator steals as little as possible from the relay on a small machine).
//
// What the minimal client does: HTTP/1.1 upgrade to `/relay` offering `iroh-relay-v2` (checks 101, the
// accept hash and the chosen subprotocol), answers `ServerChallenge` with `ClientAuth` (the protos
// module's challengeMessage, signed with node:crypto), waits for `ServerConfirmsAuth`, then answers relay
// `Ping` with `Pong` (so keep-alive does not drop idle clients) and counts `RelayToClientDatagram`
// (type 6) frames. Client frames are masked with an all-zero masking key (legal on the wire, the relay
// still runs its unmasking pass), so a pre-built datagram frame can be written again and again.
//
// IPC requests (each answered with { id, ok, ... } or { id, ok: false, error }):
//   { op: 'connect', count, host, port, localAddresses, concurrency, timeoutMs }  add idle clients
//   { op: 'ping', sample, timeoutMs }        relay Ping/Pong round trip on `sample` random clients
//   { op: 'status' }                         open / dropped clients, this process's RSS
//   { op: 'closeAll' }                       close every client
//   { op: 'forwardSetup', pairs, ... }       connect 2×pairs clients for the forwarding run
//   { op: 'forwardRun', size, window, maxBuffered, warmupMs, measureMs, drainMs }
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import net from 'node:net';
import { PublicKey, Signature } from '@iroh-ts/base';
import { challengeMessage, encodeHandshakeFrame } from '@iroh-ts/relay';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const PROTOCOL = 'iroh-relay-v2';

/**
 * The complete masked WebSocket frame (FIN, binary) carrying relay frame `payload`. The masking key is
 * random and non-zero, as a real client's: the relay has to unmask every frame (`ws` skips the pass
 * for an all-zero key, which would flatter the relay). A datagram frame is masked once and then
 * written again and again; that is indistinguishable on the wire from masking each copy.
 */
function wsFrame(payload) {
  const len = payload.length;
  if (len >= 65536) throw new Error('frame too large for this client');
  const hdr = len < 126 ? 2 : 4;
  const out = Buffer.allocUnsafe(hdr + 4 + len);
  out[0] = 0x82;
  if (len < 126) out[1] = 0x80 | len;
  else {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  }
  let mask;
  do mask = randomBytes(4);
  while ((mask[0] | mask[1] | mask[2] | mask[3]) === 0);
  mask.copy(out, hdr);
  const at = hdr + 4;
  for (let i = 0; i < len; i++) out[at + i] = payload[i] ^ mask[i & 3];
  return out;
}

/** A fresh Ed25519 identity: node:crypto keys (much cheaper to make than SecretKey.generate()). */
function newIdentity() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // The SPKI DER of an Ed25519 key is a 12-byte prefix and the 32 raw bytes.
  return { privateKey, publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(12) };
}

/** `ClientAuth` for `challenge`: type 1 ‖ public key ‖ postcard bytes(signature) = varint 64 ‖ 64 bytes. */
function clientAuthFrame(identity, challenge) {
  const signature = sign(null, challengeMessage(challenge), identity.privateKey);
  const out = Buffer.allocUnsafe(1 + 32 + 1 + 64);
  out[0] = 1;
  identity.publicKey.copy(out, 1);
  out[33] = 64;
  signature.copy(out, 34);
  return out;
}

// Self-check: the hand-built frame is what the protos module encodes (and signs verifiably).
{
  const id = newIdentity();
  const challenge = randomBytes(16);
  const mine = clientAuthFrame(id, challenge);
  const theirs = encodeHandshakeFrame({
    type: 'clientAuth',
    publicKey: PublicKey.fromBytes(id.publicKey),
    signature: Signature.fromBytes(mine.subarray(34)),
  });
  const pk = PublicKey.fromBytes(id.publicKey);
  if (
    !Buffer.from(theirs).equals(mine) ||
    !pk.isValidSignature(challengeMessage(challenge), Signature.fromBytes(mine.subarray(34)))
  ) {
    throw new Error('relay-load: ClientAuth encoding self-check failed');
  }
}

let openClients = 0;
let droppedClients = 0;

class Client {
  /** @type {net.Socket} */
  sock;
  state = 'connecting'; // connecting → upgrading → handshake → active → closed
  rest = undefined; // unparsed tail (incomplete HTTP head or WebSocket frame)
  identity;
  publicKey; // 32 bytes, kept for the forwarding partner
  onReady;
  onFail;
  pendingPings = new Map();
  /** Forwarding counters. */
  rxFrames = 0;
  rxBytes = 0;
  onDatagrams = undefined;
  /** Forwarding: first and last 4 bytes of the partner's id, as int32 (checks the relay's routing). */
  expectedSrc = undefined;
  misdelivered = 0;
  highestSeq = -1;

  constructor({ host, port, localAddress, timeoutMs }) {
    this.identity = newIdentity();
    this.publicKey = this.identity.publicKey;
    this.wsKey = randomBytes(16).toString('base64');
    this.ready = new Promise((resolve, reject) => {
      this.onReady = resolve;
      this.onFail = reject;
    });
    const timer = setTimeout(
      () => this.fail(new Error(`not authenticated after ${timeoutMs} ms`)),
      timeoutMs,
    );
    this.ready.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    const sock = net.connect({ host, port, localAddress });
    this.sock = sock;
    sock.setNoDelay(true);
    sock.on('connect', () => {
      this.state = 'upgrading';
      sock.write(
        `GET /relay HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.wsKey}\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Protocol: ${PROTOCOL}\r\n\r\n`,
      );
    });
    sock.on('data', (chunk) => {
      try {
        this.onData(chunk);
      } catch (err) {
        this.fail(err);
      }
    });
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => this.onClose());
  }

  fail(err) {
    if (this.state === 'closed') return;
    const wasActive = this.state === 'active';
    this.state = 'closed';
    if (wasActive) {
      openClients--;
      droppedClients++;
    }
    this.sock.destroy();
    this.onFail(err);
  }

  onClose() {
    if (this.state === 'closed') return;
    this.fail(new Error(this.closeReason ?? 'connection closed by the relay'));
  }

  close() {
    if (this.state === 'closed') return;
    if (this.state === 'active') openClients--;
    this.state = 'closed';
    this.sock.destroy();
    this.onFail(new Error('closed'));
  }

  sendFrame(relayFrame) {
    this.sock.write(wsFrame(relayFrame));
  }

  onData(chunk) {
    let buf = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = undefined;
    if (this.state === 'upgrading') {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 8192) throw new Error('HTTP response head too large');
        this.rest = buf;
        return;
      }
      this.checkUpgrade(buf.toString('latin1', 0, end));
      this.state = 'handshake';
      buf = buf.subarray(end + 4);
    }
    // WebSocket frames from the server: unmasked, never fragmented by the relay.
    let at = 0;
    const n = buf.length;
    while (n - at >= 2) {
      const b0 = buf[at];
      let len = buf[at + 1] & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (n - at < 4) break;
        len = buf.readUInt16BE(at + 2);
        hdr = 4;
      } else if (len === 127) {
        if (n - at < 10) break;
        len = Number(buf.readBigUInt64BE(at + 2));
        hdr = 10;
      }
      if (n - at < hdr + len) break;
      const opcode = b0 & 0x0f;
      const start = at + hdr;
      at = start + len;
      if (opcode === 2) {
        // Fast path: a forwarded datagram.
        if (buf[start] === 6) {
          const from = this.expectedSrc;
          if (from !== undefined) {
            if (buf.readInt32LE(start + 1) !== from[0] || buf.readInt32LE(start + 29) !== from[1]) {
              this.misdelivered++;
            }
            const seq = buf.readUInt32BE(start + 34);
            if (seq > this.highestSeq) this.highestSeq = seq;
          }
          this.rxFrames++;
          this.rxBytes += len - 34;
          continue;
        }
        this.onRelayFrame(buf.subarray(start, start + len));
      } else if (opcode === 8) {
        this.closeReason = `relay closed the connection: ${len >= 2 ? buf.readUInt16BE(start) : ''} ${buf.toString('utf8', start + 2, start + len)}`;
        this.sock.end();
      } else if (opcode === 9) {
        // WebSocket ping → pong with the same payload.
        const pong = wsFrame(buf.subarray(start, start + len));
        pong[0] = 0x8a;
        this.sock.write(pong);
      } else if (opcode !== 10 && opcode !== 1) {
        throw new Error(`unexpected WebSocket opcode ${opcode}`);
      }
    }
    if (at < n) this.rest = buf.subarray(at);
    if (this.onDatagrams !== undefined && this.rxFrames !== this.lastRxFrames) {
      this.lastRxFrames = this.rxFrames;
      this.onDatagrams();
    }
  }

  checkUpgrade(head) {
    const lines = head.split('\r\n');
    if (!/^HTTP\/1\.1 101/.test(lines[0])) throw new Error(`upgrade refused: ${lines[0]}`);
    const headers = new Map();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const accept = createHash('sha1')
      .update(this.wsKey + WS_GUID)
      .digest('base64');
    if (headers.get('sec-websocket-accept') !== accept) throw new Error('bad Sec-WebSocket-Accept');
    if (headers.get('sec-websocket-protocol') !== PROTOCOL) {
      throw new Error(`relay chose subprotocol ${headers.get('sec-websocket-protocol')}`);
    }
  }

  onRelayFrame(frame) {
    const type = frame[0];
    if (this.state === 'handshake') {
      if (type === 0) {
        this.sendFrame(clientAuthFrame(this.identity, frame.subarray(1, 17)));
      } else if (type === 2) {
        this.state = 'active';
        this.identity = undefined; // not needed any more: keep idle clients small
        openClients++;
        this.onReady(this);
      } else if (type === 3) {
        throw new Error(`relay denied auth: ${frame.subarray(1).toString('utf8')}`);
      } else {
        throw new Error(`unexpected frame type ${type} during the handshake`);
      }
      return;
    }
    if (type === 9) {
      // Relay keep-alive ping → pong with the same 8 bytes.
      const pong = Buffer.from(frame);
      pong[0] = 10;
      this.sendFrame(pong);
    } else if (type === 10) {
      const key = frame.toString('hex', 1, 9);
      const done = this.pendingPings.get(key);
      this.pendingPings.delete(key);
      done?.();
    }
    // 8 (EndpointGone), 12 (Restarting), 13 (Status): nothing to do for the benchmark.
  }

  /** Relay-level Ping/Pong round trip in ms. */
  ping(timeoutMs) {
    const data = randomBytes(8);
    const frame = Buffer.concat([Buffer.from([9]), data]);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingPings.delete(data.toString('hex'));
        reject(new Error('ping timeout'));
      }, timeoutMs);
      this.pendingPings.set(data.toString('hex'), () => {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      });
      this.sendFrame(frame);
    });
  }
}

/** @type {Client[]} */
let clients = [];

/** Opens `count` clients with at most `concurrency` handshakes in flight. */
async function connectMany({ count, host, port, localAddresses, concurrency = 100, timeoutMs = 30_000 }) {
  const t0 = performance.now();
  let started = 0;
  let established = 0;
  let failed = 0;
  const errors = new Map();
  const worker = async () => {
    while (started < count) {
      const i = started++;
      const localAddress = localAddresses[(clients.length + i) % localAddresses.length];
      const c = new Client({ host, port, localAddress, timeoutMs });
      try {
        await c.ready;
        clients.push(c);
        established++;
      } catch (err) {
        failed++;
        const msg = String(err.message ?? err).replace(/\d+\.\d+\.\d+\.\d+:\d+/g, '<addr>');
        errors.set(msg, (errors.get(msg) ?? 0) + 1);
        // Stop opening more once failures pile up: the step has failed anyway.
        if (failed >= Math.max(20, count * 0.01)) started = count;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { established, failed, ms: performance.now() - t0, errors: [...errors].slice(0, 5) };
}

async function pingSample({ sample, timeoutMs = 5000 }) {
  const active = clients.filter((c) => c.state === 'active');
  const picks = [];
  for (let i = 0; i < Math.min(sample, active.length); i++) {
    picks.push(active[Math.floor(Math.random() * active.length)]);
  }
  const results = await Promise.allSettled(picks.map((c) => c.ping(timeoutMs)));
  const rtts = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  rtts.sort((a, b) => a - b);
  return {
    sent: picks.length,
    answered: rtts.length,
    medianMs: rtts[Math.floor(rtts.length / 2)] ?? null,
    maxMs: rtts[rtts.length - 1] ?? null,
  };
}

function status() {
  return {
    open: openClients,
    dropped: droppedClients,
    tracked: clients.length,
    rss: process.memoryUsage.rss(),
  };
}

function closeAll() {
  for (const c of clients) c.close();
  clients = [];
  return status();
}

// ---- forwarding ---------------------------------------------------------------------------------

/** @type {{ sender: Client, receiver: Client }[]} */
let pairs = [];

async function forwardSetup({ pairs: n, host, port, localAddresses, timeoutMs = 30_000 }) {
  const r = await connectMany({ count: 2 * n, host, port, localAddresses, concurrency: 50, timeoutMs });
  if (r.established !== 2 * n) throw new Error(`only ${r.established} of ${2 * n} clients connected`);
  pairs = [];
  for (let i = 0; i < n; i++) pairs.push({ sender: clients[2 * i], receiver: clients[2 * i + 1] });
  return r;
}

/**
 * Senders write type-4 datagrams of `size` bytes to their partner as fast as flow control allows:
 * the socket's unsent bytes stay under `maxBuffered`; with `window` > 0 at most `window` datagrams per
 * pair are in flight; with `rate` > 0 each sender offers at most `rate` payload bytes per second.
 *
 * Every datagram carries a per-pair sequence number (payload bytes 0–3). The partner lives in this
 * process and records the highest number it received, so "in flight" is sent − (highest received + 1),
 * like an ACK-clocked sender without retransmissions: a datagram the relay dropped stops counting
 * as in flight as soon as a later one arrives, and the window never wedges.
 */
async function forwardRun({
  size = 1200,
  window = 256,
  maxBuffered = 256 * 1024,
  burst = 16,
  rate = 0,
  warmupMs = 2000,
  measureMs = 10_000,
  drainMs = 2000,
}) {
  let running = true;
  const ringSize = Math.max(24, Math.ceil(window / burst) + 4);
  for (const p of pairs) {
    const relayFrame = Buffer.alloc(1 + 32 + 1 + size);
    relayFrame[0] = 4; // ClientToRelayDatagram
    Buffer.from(p.receiver.publicKey).copy(relayFrame, 1);
    relayFrame[33] = 0; // ECN
    relayFrame.fill(0xab, 34);
    const one = wsFrame(relayFrame);
    const frameLen = one.length;
    const maskAt = frameLen - relayFrame.length - 4;
    const mask = one.subarray(maskAt, maskAt + 4);
    const seqAt = maskAt + 4 + 34; // first payload byte of the datagram
    const template = Buffer.concat(Array.from({ length: burst }, () => one));
    // A ring of chunk buffers: a chunk is restamped only once its previous write has completed.
    const ring = Array.from({ length: ringSize }, () => ({ buf: Buffer.from(template), busy: false }));
    let next = 0;
    p.sent = 0;
    p.maxInflight = 0;
    const r = p.receiver;
    r.rxFrames = 0;
    r.rxBytes = 0;
    r.highestSeq = -1;
    r.misdelivered = 0;
    const src = Buffer.from(p.sender.publicKey);
    r.expectedSrc = [src.readInt32LE(0), src.readInt32LE(28)];
    p.credit = 0; // paced mode: datagrams this sender may still send
    const sock = p.sender.sock;
    p.pump = () => {
      if (!running || p.sender.state !== 'active') return;
      while (sock.writableLength < maxBuffered) {
        const inflight = p.sent - (r.highestSeq + 1);
        if (inflight > p.maxInflight) p.maxInflight = inflight;
        let k = burst;
        if (window > 0) k = Math.min(k, window - inflight);
        if (rate > 0) k = Math.min(k, Math.floor(p.credit));
        if (k < (rate > 0 ? 1 : burst)) break;
        const chunk = ring[next];
        if (chunk.busy) break; // resumed by that write's callback
        next = (next + 1) % ringSize;
        const buf = chunk.buf;
        for (let f = 0; f < k; f++) {
          const seq = p.sent + f;
          const at = f * frameLen + seqAt;
          // The payload is masked: byte i of the payload is XORed with mask[i & 3] (i = 34 + j here).
          buf[at] = (seq >>> 24) ^ mask[2];
          buf[at + 1] = ((seq >>> 16) & 0xff) ^ mask[3];
          buf[at + 2] = ((seq >>> 8) & 0xff) ^ mask[0];
          buf[at + 3] = (seq & 0xff) ^ mask[1];
        }
        chunk.busy = true;
        sock.write(k === burst ? buf : buf.subarray(0, k * frameLen), () => {
          chunk.busy = false;
          if (sock.writableLength === 0) p.pump();
        });
        p.sent += k;
        if (rate > 0) p.credit -= k;
      }
    };
    sock.on('drain', p.pump);
    r.onDatagrams = p.pump;
  }
  // Paced mode: every sender earns `rate` payload bytes per second of credit (at most 64 datagrams
  // banked, so a stalled sender cannot burst far above the rate afterwards).
  let pacer;
  if (rate > 0) {
    let last = performance.now();
    pacer = setInterval(() => {
      const now = performance.now();
      const add = (rate * (now - last)) / 1000 / size;
      last = now;
      for (const p of pairs) {
        p.credit = Math.min(64, p.credit + add);
        p.pump();
      }
    }, 5);
  }
  const totals = () => {
    let sent = 0;
    let rxFrames = 0;
    let rxBytes = 0;
    for (const p of pairs) {
      sent += p.sent;
      rxFrames += p.receiver.rxFrames;
      rxBytes += p.receiver.rxBytes;
    }
    return { sent, rxFrames, rxBytes, t: performance.now() };
  };
  const cpu0 = process.cpuUsage();
  for (const p of pairs) p.pump();
  await new Promise((r) => setTimeout(r, warmupMs));
  const a = totals();
  await new Promise((r) => setTimeout(r, measureMs));
  const b = totals();
  running = false;
  if (pacer !== undefined) clearInterval(pacer);
  await new Promise((r) => setTimeout(r, drainMs));
  const end = totals();
  const cpu = process.cpuUsage(cpu0);
  let misdelivered = 0;
  let maxInflight = 0;
  for (const p of pairs) {
    misdelivered += p.receiver.misdelivered;
    maxInflight = Math.max(maxInflight, p.maxInflight);
    p.receiver.expectedSrc = undefined;
    p.sender.sock.off('drain', p.pump);
    p.receiver.onDatagrams = undefined;
  }
  return {
    window: {
      seconds: (b.t - a.t) / 1000,
      sentFrames: b.sent - a.sent,
      rxFrames: b.rxFrames - a.rxFrames,
      rxBytes: b.rxBytes - a.rxBytes,
    },
    total: { sentFrames: end.sent, rxFrames: end.rxFrames, rxBytes: end.rxBytes },
    misdelivered,
    maxInflight,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: (end.t - (a.t - warmupMs)) / 1000,
    droppedClients,
  };
}

// ---- IPC ----------------------------------------------------------------------------------------

const handlers = { connect: connectMany, ping: pingSample, status, closeAll, forwardSetup, forwardRun };

process.on('message', async (msg) => {
  const { id, op, ...args } = msg;
  try {
    const handler = handlers[op];
    if (handler === undefined) throw new Error(`unknown op ${op}`);
    const result = await handler(args);
    process.send({ id, ok: true, ...result });
  } catch (err) {
    process.send({ id, ok: false, error: String(err?.stack ?? err) });
  }
});
// The parent went away: drop everything and exit (never linger holding thousands of sockets).
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, pid: process.pid });

import type {
  RelayWebSocket,
  TimerHandle,
  Timers,
  WebSocketConnectOptions,
  WebSocketFactory,
} from '../../src/index.js';

/** Timers that only move when told to. */
export class ManualTimers implements Timers {
  #now = 0;
  #next = 1;
  readonly #pending = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending.delete(handle as number);
  }

  /** Number of armed timers. */
  get armed(): number {
    return this.#pending.size;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let best: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#pending)
        if (entry[1].at <= end && (best === undefined || entry[1].at < best[1].at)) best = entry;
      if (best === undefined) break;
      this.#pending.delete(best[0]);
      this.#now = best[1].at;
      best[1].fn();
    }
    this.#now = end;
  }
}

/** A scripted WebSocket: the test plays the relay. */
export class FakeSocket implements RelayWebSocket {
  readonly options: WebSocketConnectOptions;
  readonly sent: Uint8Array[] = [];
  protocol = '';
  bufferedAmount = 0;
  closedWith: { code?: number; reason?: string } | undefined;

  constructor(options: WebSocketConnectOptions) {
    this.options = options;
  }

  send(data: Uint8Array): void {
    this.sent.push(data.slice());
  }

  close(code?: number, reason?: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = { code, reason };
    queueMicrotask(() => this.options.handlers.onClose(code ?? 1005, reason ?? ''));
  }

  /** The relay accepts the upgrade with `protocol`. */
  open(protocol = 'iroh-relay-v2'): void {
    this.protocol = protocol;
    this.options.handlers.onOpen();
  }

  /** The relay sends a frame. */
  receive(frame: Uint8Array): void {
    this.options.handlers.onMessage(frame);
  }

  /** The relay or network drops the connection. */
  drop(code = 1006, reason = ''): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = { code, reason };
    this.options.handlers.onClose(code, reason);
  }

  /** Takes the frames sent so far. */
  take(): Uint8Array[] {
    return this.sent.splice(0);
  }
}

/** A factory that records every socket it opens. */
export function fakeFactory(): { factory: WebSocketFactory; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    factory: (options) => {
      const s = new FakeSocket(options);
      sockets.push(s);
      return s;
    },
  };
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

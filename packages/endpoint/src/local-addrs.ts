/**
 * Our direct addresses: the bound sockets, with an unspecified bind address (`0.0.0.0`, `::`)
 * expanded to the machine's interface addresses, and a poll of the interfaces that notices network
 * changes.
 */
import { SocketAddr } from '@iroh-ts/base';
import { localInterfaceAddrs } from './socket/interfaces.js';
import { Watchable } from './watch.js';

/** How often local interfaces are checked for changes (ms). */
const NETMON_INTERVAL_MS = 5_000;

/** The machine's interface addresses, watched for changes. */
export class LocalAddrs {
  #interfaces: SocketAddr[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Counts network changes (watchers run on each). */
  readonly changes = new Watchable(0);

  /**
   * Reads the interfaces and, when `poll`, keeps reading them every 5 s. `onChange` runs when they
   * changed after the first read (and on every forced read).
   */
  async start(poll: boolean, onChange: () => Promise<void>): Promise<void> {
    this.#onChange = onChange;
    await this.read(false);
    if (poll) {
      this.#timer = setInterval(() => void this.read(false), NETMON_INTERVAL_MS);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  #onChange: (() => Promise<void>) | undefined;

  /** Re-reads the interfaces; `force` reports a change even when nothing differs. */
  async read(force: boolean): Promise<void> {
    const now = await localInterfaceAddrs();
    const key = (l: SocketAddr[]) => l.map((a) => a.toString()).join(',');
    if (!force && key(now) === key(this.#interfaces)) return;
    const first = this.#interfaces.length === 0 && !force;
    this.#interfaces = now;
    if (!first) await this.#onChange?.();
    this.changes.set(this.changes.get() + 1);
  }

  /** The direct addresses for these bound sockets. */
  expand(bound: readonly SocketAddr[]): SocketAddr[] {
    const out: SocketAddr[] = [];
    for (const s of bound) {
      if (isUnspecified(s)) {
        for (const i of this.#interfaces)
          if (i.family === s.family) out.push(SocketAddr.parse(withPort(i, s.port)));
      } else out.push(s);
    }
    return out;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export function isUnspecified(s: SocketAddr): boolean {
  const ip = s.ip();
  return ip === '0.0.0.0' || ip === '::';
}

function withPort(a: SocketAddr, port: number): string {
  return a.family === 6 ? `[${a.ip()}]:${port}` : `${a.ip()}:${port}`;
}

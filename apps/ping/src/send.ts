/**
 * `iroh-ts-ping send <ticket>`: connects to the ticket's endpoint, pings it `--count` times and
 * prints one line per ping and a summary:
 *
 *     pong seq=1 bytes=32 rtt_ms=0.412
 *     summary sent=1 received=1 min_ms=0.412 avg_ms=0.412 max_ms=0.412 path=direct remote=<addr>
 */
import { bindDialer, type Logger, type NetworkOptions, type StopSignal } from '@iroh-ts/cli-common';
import type { Connection } from '@iroh-ts/endpoint';
import { PING_ALPN, PING_SIZE, ping } from './protocol.js';

/** What `send` measured. */
export interface PingSummary {
  readonly sent: number;
  readonly rtts: readonly number[];
}

/** Connects and pings; resolves once done (or stopped by a signal). */
export async function send(
  opts: NetworkOptions,
  ticket: string,
  count: number,
  stop: StopSignal,
  log: Logger,
): Promise<PingSummary> {
  const { ep, addr } = await bindDialer(opts, ticket, log);
  // A signal closes the endpoint: whatever is under way fails, and the summary is printed.
  void stop.received.then(() => ep.close());
  const rtts: number[] = [];
  let sent = 0;
  let conn: Connection | undefined;
  try {
    conn = await ep.connect(addr, PING_ALPN);
    for (let seq = 1; seq <= count && !stop.stopping(); seq++) {
      sent++;
      const rtt = await ping(conn);
      rtts.push(rtt);
      process.stdout.write(`pong seq=${seq} bytes=${PING_SIZE} rtt_ms=${rtt.toFixed(3)}\n`);
    }
  } catch (e) {
    if (!stop.stopping()) throw e;
  } finally {
    const path = conn ? describePath(conn) : undefined;
    conn?.close(0n);
    await ep.close();
    process.stdout.write(`${summaryLine({ sent, rtts }, path)}\n`);
  }
  return { sent, rtts };
}

function describePath(conn: Connection): string {
  const [p] = conn.paths();
  if (!p) return 'path=none';
  return `path=${p.isRelay ? 'relay' : p.isIp ? 'direct' : 'custom'} remote=${p.remoteAddr}`;
}

/** `summary sent=N received=N min_ms= avg_ms= max_ms= [path=… remote=…]`. */
export function summaryLine(s: PingSummary, path: string | undefined): string {
  const parts = [`summary sent=${s.sent}`, `received=${s.rtts.length}`];
  if (s.rtts.length > 0) {
    const min = Math.min(...s.rtts);
    const max = Math.max(...s.rtts);
    const avg = s.rtts.reduce((a, b) => a + b, 0) / s.rtts.length;
    parts.push(`min_ms=${min.toFixed(3)}`, `avg_ms=${avg.toFixed(3)}`, `max_ms=${max.toFixed(3)}`);
  }
  if (path) parts.push(path);
  return parts.join(' ');
}

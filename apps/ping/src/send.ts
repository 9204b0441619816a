/**
 * `iroh-ts-ping send <ticket>`: connects to the ticket's endpoint, pings it `--count` times and
 * prints one line per ping and a summary:
 *
 *     pong seq=1 bytes=32 rtt_ms=0.412
 *     summary sent=1 received=1 min_ms=0.412 avg_ms=0.412 max_ms=0.412 path=direct remote=<addr>
 */
import { type Connection, EndpointTicket } from '@iroh-ts/endpoint';
import { bindEndpoint } from './bind.js';
import { secretKeyFor } from './identity.js';
import type { Logger } from './log.js';
import { type NetworkOptions, UsageError } from './options.js';
import { PING_ALPN, PING_SIZE, ping } from './protocol.js';
import type { StopSignal } from './signals.js';

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
  let addr: ReturnType<EndpointTicket['endpointAddr']>;
  try {
    addr = EndpointTicket.fromString(ticket).endpointAddr();
  } catch (e) {
    throw new UsageError(`not an endpoint ticket: ${(e as Error).message}`);
  }
  const secretKey = await secretKeyFor(opts.secretKeyFile, log);
  const ep = await bindEndpoint(opts, secretKey, []);
  // A signal closes the endpoint: whatever is under way fails, and the summary is printed.
  void stop.received.then(() => ep.close());
  const rtts: number[] = [];
  let sent = 0;
  let conn: Connection | undefined;
  try {
    log.info('connecting', {
      remote: addr.id().toString(),
      relay: addr.relayUrl(),
      direct: addr.directAddresses(),
    });
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

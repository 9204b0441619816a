#!/usr/bin/env node
/**
 * iroh-ts-ping: iroh's "Connect two endpoints" tutorial as a program.
 *
 *   iroh-ts-ping receive [options]           prints `ticket <ticket>`, answers pings until SIGTERM
 *   iroh-ts-ping send <ticket> [--count N]   pings the ticket's endpoint N times
 *
 * Stdout carries only machine-readable lines; logs are JSON lines on stderr. Exit status: 0 done
 * (or stopped by SIGTERM/SIGINT), 1 failure, 2 bad command line.
 */
import { onStopSignal, runCli, UsageError } from '@iroh-ts/cli-common';
import { receive } from './receive.js';
import { send } from './send.js';

const APP = 'iroh-ts-ping';

void runCli({
  name: APP,
  version: '0.0.0',
  usage: `Usage: ${APP} receive [options]
       ${APP} send <ticket> [--count N] [options]

  receive                  serve pings (ALPN iroh-ts/ping/0); prints "ticket <ticket>" on stdout
  send <ticket>            ping the endpoint of <ticket>; prints "pong seq=… rtt_ms=…" lines and a summary
  --count <N>              pings to send (default 3)
`,
  options: { count: { type: 'string' } },
  commands: {
    receive: {
      async run({ values, opts, log }) {
        if (values.count !== undefined) throw new UsageError('--count is for send');
        await receive(opts, onStopSignal(log), log);
        return 0;
      },
    },
    send: {
      argument: 'ticket',
      async run({ values, opts, log }, ticket) {
        const count = parseCount(values.count);
        const stop = onStopSignal(log);
        const summary = await send(opts, ticket, count, stop, log);
        return summary.rtts.length > 0 || stop.stopping() ? 0 : 1;
      },
    },
  },
});

function parseCount(text: string | undefined): number {
  if (text === undefined) return 3;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--count: expected a positive integer, got ${text}`);
  return n;
}

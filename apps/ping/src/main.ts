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
import { parseArgs } from 'node:util';
import { createLogger } from './log.js';
import { NETWORK_OPTIONS, NETWORK_USAGE, networkOptions, UsageError } from './options.js';
import { receive } from './receive.js';
import { send } from './send.js';
import { onStopSignal } from './signals.js';

const APP = 'iroh-ts-ping';
const VERSION = '0.0.0';

const USAGE = `Usage: ${APP} receive [options]
       ${APP} send <ticket> [--count N] [options]

  receive                  serve pings (ALPN iroh-ts/ping/0); prints "ticket <ticket>" on stdout
  send <ticket>            ping the endpoint of <ticket>; prints "pong seq=… rtt_ms=…" lines and a summary
  --count <N>              pings to send (default 3)

${NETWORK_USAGE}
`;

function parse() {
  return parseArgs({
    options: { ...NETWORK_OPTIONS, count: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
}

async function main(): Promise<number> {
  const { values, positionals } = parse();
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${APP} ${VERSION}\n`);
    return 0;
  }
  const opts = networkOptions(values);
  const [command, ...rest] = positionals;
  const log = createLogger(APP);
  if (command === 'receive') {
    if (rest.length > 0) throw new UsageError(`receive takes no arguments, got ${rest.join(' ')}`);
    if (values.count !== undefined) throw new UsageError('--count is for send');
    const stop = onStopSignal(log);
    await receive(opts, stop, log);
    return 0;
  }
  if (command === 'send') {
    if (rest.length !== 1) throw new UsageError('send takes one argument: the ticket');
    const count = parseCount(values.count);
    const stop = onStopSignal(log);
    const summary = await send(opts, rest[0]!, count, stop, log);
    return summary.rtts.length > 0 || stop.stopping() ? 0 : 1;
  }
  throw new UsageError(command === undefined ? 'no command given' : `unknown command: ${command}`);
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return 3;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--count: expected a positive integer, got ${text}`);
  return n;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    const code = (err as { code?: unknown }).code;
    process.stderr.write(
      `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', app: APP, msg: 'failed', code: typeof code === 'string' ? code : err.name, error: err.message })}\n`,
    );
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
/**
 * iroh-ts-pipe: a pipe between two machines over iroh, like dumbpipe.
 *
 *   iroh-ts-pipe listen [options]            prints `ticket <ticket>`, then pipes the first connection
 *   iroh-ts-pipe connect <ticket> [options]  pipes stdin/stdout to the listener
 *
 * Logs are JSON lines on stderr. Exit status: 0 when both directions ended (or a signal arrived
 * before a connection), 1 on failure or when interrupted mid-pipe, 2 for a bad command line.
 */
import { parseArgs } from 'node:util';
import { connect } from './connect.js';
import { listen } from './listen.js';
import { createLogger } from './log.js';
import { NETWORK_OPTIONS, NETWORK_USAGE, networkOptions, UsageError } from './options.js';
import { onStopSignal } from './signals.js';

const APP = 'iroh-ts-pipe';
const VERSION = '0.0.0';

const USAGE = `Usage: ${APP} listen [options]
       ${APP} connect <ticket> [options]

  listen                   print "ticket <ticket>" on stdout, accept one connection (ALPN iroh-ts/pipe/0),
                           then send stdin to it and write what it sends to stdout
  connect <ticket>         connect to the listener of <ticket>; stdin goes to it, its data to stdout

${NETWORK_USAGE}
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: NETWORK_OPTIONS,
    strict: true,
    allowPositionals: true,
  });
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
  if (command === 'listen') {
    if (rest.length > 0) throw new UsageError(`listen takes no arguments, got ${rest.join(' ')}`);
    return listen(opts, onStopSignal(log), log);
  }
  if (command === 'connect') {
    if (rest.length !== 1) throw new UsageError('connect takes one argument: the ticket');
    return connect(opts, rest[0]!, onStopSignal(log), log);
  }
  throw new UsageError(command === undefined ? 'no command given' : `unknown command: ${command}`);
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
    } else {
      const code = (err as { code?: unknown }).code;
      process.stderr.write(
        `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', app: APP, msg: 'failed', code: typeof code === 'string' ? code : err.name, error: err.message })}\n`,
      );
      process.exitCode = 1;
    }
    // stdin may still hold the process open after a failure.
    process.stdin.destroy();
  },
);

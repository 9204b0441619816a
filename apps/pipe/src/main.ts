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
import { onStopSignal, runCli } from '@iroh-ts/cli-common';
import { connect } from './connect.js';
import { listen } from './listen.js';

const APP = 'iroh-ts-pipe';

void runCli({
  name: APP,
  version: '0.0.0',
  usage: `Usage: ${APP} listen [options]
       ${APP} connect <ticket> [options]

  listen                   print "ticket <ticket>" on stdout, accept one connection (ALPN iroh-ts/pipe/0),
                           then send stdin to it and write what it sends to stdout
  connect <ticket>         connect to the listener of <ticket>; stdin goes to it, its data to stdout
`,
  options: {},
  commands: {
    listen: { run: ({ opts, log }) => listen(opts, onStopSignal(log), log) },
    connect: {
      argument: 'ticket',
      run: ({ opts, log }, ticket) => connect(opts, ticket, onStopSignal(log), log),
    },
  },
  // stdin may still hold the process open after an error.
  afterError: () => process.stdin.destroy(),
});

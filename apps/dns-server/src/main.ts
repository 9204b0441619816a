#!/usr/bin/env node
/**
 * iroh-ts-dns-server: a pkarr relay and authoritative DNS server for iroh endpoint records,
 * deployable in place of iroh-dns-server.
 *
 *   iroh-ts-dns-server --dev [--http-bind-addr 127.0.0.1:0] [--dns-bind-addr 127.0.0.1:0]
 *   iroh-ts-dns-server --config dns.toml
 *
 * The first line on stdout is `dns-server listening on http=<url> dns=<ip>:<port> origin=<origin>`;
 * logs are JSON lines on stderr; SIGTERM stops it gracefully (exit 0). A bad configuration is one
 * JSON error line on stderr and exit status 1.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createLogger, ServerConfigError, stopOnSignals } from '@iroh-ts/server-common';
import { startApp } from './app.js';
import { parseConfig } from './config.js';
import { socketAddrString } from './front.js';

const APP = 'iroh-ts-dns-server';
const VERSION = '0.0.0';

const USAGE = `Usage: ${APP} [--dev] [--config <dns.toml>] [options]

  --dev                     loopback listeners (HTTP 127.0.0.1:8080, DNS 127.0.0.1:5300), in-memory
                            store, no PUT rate limit, no HTTPS, no metrics unless asked for
  -c, --config <path>       TOML configuration (iroh-dns-server's keys; see README)
  --http-bind-addr <ip:port> the plain-HTTP listener (pkarr relay, DoH); port 0 = any free port
  --dns-bind-addr <ip:port>  the DNS listener, UDP and TCP; port 0 = any free port
  --metrics-bind-addr <ip:port> serve /metrics here
  --origin <name>           an origin to serve (repeatable; replaces dns.origins)
  -h, --help                this text
  -V, --version             the version
`;

function parse() {
  return parseArgs({
    options: {
      dev: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      'http-bind-addr': { type: 'string' },
      'dns-bind-addr': { type: 'string' },
      'metrics-bind-addr': { type: 'string' },
      origin: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
    strict: true,
    allowPositionals: false,
  });
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const { values } = args;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.version) {
    process.stdout.write(`${APP} ${VERSION}\n`);
    return;
  }
  const log = createLogger(APP);
  let text = '';
  if (values.config) {
    try {
      text = await readFile(values.config, 'utf8');
    } catch (e) {
      throw new ServerConfigError('InvalidConfig', `cannot read ${values.config}: ${(e as Error).message}`);
    }
  }
  const config = parseConfig(text, {
    dev: values.dev,
    fromFile: values.config !== undefined,
    httpBindAddr: values['http-bind-addr'],
    dnsBindAddr: values['dns-bind-addr'],
    metricsBindAddr: values['metrics-bind-addr'],
    origins: values.origin,
  });
  for (const key of config.unknownKeys) log.warn('unknown configuration key ignored', { key });
  for (const key of config.devOverrides) log.warn('configuration key overridden by --dev', { key });

  const app = await startApp(config, log);
  stopOnSignals(() => app.stop(), { logger: log });
  const http = app.httpUrl ?? app.httpsUrl ?? 'none';
  process.stdout.write(
    `dns-server listening on http=${http} dns=${socketAddrString(app.dnsAddr)} origin=${app.origin}\n`,
  );
}

main().catch((e: unknown) => {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : 'Error';
  const message = typeof err.message === 'string' ? err.message : String(e);
  process.stderr.write(
    `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', app: APP, msg: 'failed to start', code, error: message })}\n`,
  );
  process.exit(1);
});

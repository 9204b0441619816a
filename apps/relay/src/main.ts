#!/usr/bin/env node
/**
 * iroh-ts-relay: an iroh relay server, deployable in place of iroh-relay.
 *
 *   iroh-ts-relay --dev [--http-bind-addr 127.0.0.1:3340]
 *   iroh-ts-relay --config relay.toml
 *
 * The first line on stdout is `relay listening on <url>`; logs are JSON lines on stderr; SIGTERM
 * stops it gracefully (clients are told the relay is restarting).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { RelayServer } from '@iroh-ts/relay/server';
import { createLogger, ServerConfigError, stopOnSignals } from '@iroh-ts/server-common';
import { parseConfig } from './config.js';
import { relayTls } from './tls.js';

const USAGE = `Usage: iroh-ts-relay [--dev] [--config <relay.toml>] [--http-bind-addr <ip:port>] [--metrics-bind-addr <ip:port>]

  --dev                  plain HTTP on --http-bind-addr (default 0.0.0.0:3340), ignoring [tls]
  -c, --config <path>    TOML configuration (iroh-relay's keys; also --config-path)
  --http-bind-addr <a>   the HTTP listener (overrides http_bind_addr)
  --metrics-bind-addr <a> serve /metrics here (overrides metrics_bind_addr)
  -h, --help             this text
  -V, --version          the version
`;

async function main(): Promise<void> {
  const log = createLogger('iroh-ts-relay');
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
    process.stdout.write('iroh-ts-relay 0.0.0\n');
    return;
  }
  const configPath = values.config ?? values['config-path'];
  let text = '';
  if (configPath) {
    try {
      text = await readFile(configPath, 'utf8');
    } catch (e) {
      throw new ServerConfigError('InvalidConfig', `cannot read ${configPath}: ${(e as Error).message}`);
    }
  }
  const config = parseConfig(text, {
    dev: values.dev,
    httpBindAddr: values['http-bind-addr'],
    metricsBindAddr: values['metrics-bind-addr'],
  });
  for (const key of config.unknownKeys) log.warn('unknown configuration key ignored', { key });

  const tls = config.tls ? await relayTls(config.tls, log) : undefined;
  const relay = new RelayServer({
    httpBindAddr: config.httpBindAddr,
    tls: tls?.options,
    access: config.access,
    limits: config.limits,
    metricsAddr: config.metricsBindAddr,
    logger: (record) => log.log(record.level, record.msg, record.fields),
    onHttpRequest: tls?.handleHttp,
  });
  await relay.start();
  await tls?.ready();
  stopOnSignals(
    async () => {
      tls?.stop();
      await relay.stop();
    },
    { logger: log },
  );
  log.info('relay started', { url: relay.url, http: relay.httpUrl, metrics: relay.metricsUrl });
  process.stdout.write(`relay listening on ${relay.url}\n`);
}

function parse() {
  return parseArgs({
    options: {
      dev: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      'config-path': { type: 'string' },
      'http-bind-addr': { type: 'string' },
      'metrics-bind-addr': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
    strict: true,
  });
}

main().catch((e: unknown) => {
  const code = e instanceof ServerConfigError ? e.code : 'Error';
  process.stderr.write(
    `${JSON.stringify({ level: 'error', app: 'iroh-ts-relay', msg: 'failed to start', code, error: (e as Error).message })}\n`,
  );
  process.exit(1);
});

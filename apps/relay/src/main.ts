#!/usr/bin/env node
/**
 * iroh-ts-relay: an iroh relay server, deployable in place of iroh-relay.
 *
 *   iroh-ts-relay --dev [--http-bind-addr 127.0.0.1:3340]
 *   iroh-ts-relay --config relay.toml
 *
 * The first line on stdout is `relay listening on <url>`; logs are JSON lines on stderr (with
 * `enable_quic_addr_discovery`, one says `QUIC address discovery listening` with its `addr`); SIGTERM
 * stops it gracefully (clients are told the relay is restarting, QAD clients get code 1 "finished").
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_QAD_PORT, QAD_ALPN } from '@iroh-ts/relay';
import {
  type BindAddr,
  QadServer,
  qadIdentityFromPem,
  type RelayLogger,
  type RelayLogRecord,
  RelayServer,
  RelayServerError,
} from '@iroh-ts/relay/server';
import { createLogger, type Logger, ServerConfigError, stopOnSignals } from '@iroh-ts/server-common';
import { parseConfig } from './config.js';
import { type RelayTls, relayTls } from './tls.js';

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
  // Under --dev, [tls] only serves QAD's certificate (Manual or SelfSigned: ready at once).
  const qadTls = config.qad && !tls ? await relayTls(config.qad.tls, log) : tls;
  const logger = (record: RelayLogRecord) => log.log(record.level, record.msg, record.fields);
  const relay = new RelayServer({
    httpBindAddr: config.httpBindAddr,
    tls: tls?.options,
    access: config.access,
    limits: config.limits,
    metricsAddr: config.metricsBindAddr,
    logger,
    onHttpRequest: tls?.handleHttp,
  });
  await relay.start();
  let qad: QadServer | undefined;
  try {
    await tls?.ready();
    if (config.qad && qadTls) qad = await startQad(config.qad.bindAddr, qadTls, relay, logger, log);
  } catch (e) {
    tls?.stop();
    await relay.stop();
    throw e;
  }
  stopOnSignals(
    async () => {
      tls?.stop();
      await qad?.close();
      await relay.stop();
    },
    { logger: log },
  );
  log.info('relay started', {
    url: relay.url,
    http: relay.httpUrl,
    metrics: relay.metricsUrl,
    qad: qad?.localAddresses[0],
  });
  process.stdout.write(`relay listening on ${relay.url}\n`);
}

/** The QAD server on `bindAddr` with the relay's certificate (kept current on renewal) and metrics. */
async function startQad(
  bindAddr: BindAddr,
  tls: RelayTls,
  relay: RelayServer,
  logger: RelayLogger,
  log: Logger,
): Promise<QadServer> {
  const pair = tls.certificate();
  if (!pair)
    throw new ServerConfigError('CertificateUnreadable', 'no certificate for QUIC address discovery');
  const host = bindAddr.host ?? '0.0.0.0';
  const qad = await QadServer.bind({
    bindAddr: `${host.includes(':') ? `[${host}]` : host}:${bindAddr.port ?? DEFAULT_QAD_PORT}`,
    ...qadIdentityFromPem(pair.certPem, pair.keyPem),
    metrics: relay.metrics,
    logger,
  });
  tls.onRenewed((next) => {
    try {
      qad.setIdentity(qadIdentityFromPem(next.certPem, next.keyPem));
    } catch (e) {
      log.error('QAD keeps its old certificate: the renewed one is unusable', {
        error: (e as Error).message,
      });
    }
  });
  log.info('QUIC address discovery listening', { addr: qad.localAddresses[0], alpn: QAD_ALPN });
  return qad;
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
  const code = e instanceof ServerConfigError || e instanceof RelayServerError ? e.code : 'Error';
  process.stderr.write(
    `${JSON.stringify({ level: 'error', app: 'iroh-ts-relay', msg: 'failed to start', code, error: (e as Error).message })}\n`,
  );
  process.exit(1);
});

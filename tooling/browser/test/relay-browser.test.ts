/**
 * Acceptance (relay issue): in Debian's chromium, driven by playwright-core, the relay client bundle
 * authenticates with `?token=` and exchanges datagrams with a Node client through our relay. The
 * bundle is built for browsers (esbuild, platform browser), so it takes the global-WebSocket and
 * @noble paths; the test also checks it contains no Node built-in imports.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { PublicKey, SecretKey } from '@iroh-ts/base';
import { RelayClient } from '@iroh-ts/relay';
import { RelayServer } from '@iroh-ts/relay/server';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserRelayResult } from '../src/relay-page.js';

const CHROMIUM = process.env.IROH_TS_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`SKIP browser relay test: ${CHROMIUM} not found (Debian package chromium)`);

const TOKEN = 'browser-token-7';

describe.skipIf(!available)('relay client in chromium', () => {
  let relay: RelayServer;
  let page: Server;
  let browser: Browser;
  let bundle: string;
  let pageUrl: string;
  const nodeKey = SecretKey.generate();
  let nodeClient: RelayClient;
  const seenByNode: string[] = [];
  const tokenSources = new Map<string, { query: string | null; header: boolean }>();

  beforeAll(async () => {
    // Shared-token access, recording where each client's token came from.
    relay = await RelayServer.start({
      httpBindAddr: { host: '127.0.0.1', port: 0 },
      access: {
        onConnect: (req) => {
          tokenSources.set(req.endpointId.toString(), {
            query: req.url.searchParams.get('token'),
            header: req.headers.authorization !== undefined,
          });
          return req.authToken() === TOKEN ? { allow: true } : { allow: false };
        },
      },
    });
    const out = await build({
      entryPoints: [fileURLToPath(new URL('../src/relay-page.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    bundle = out.outputFiles[0]!.text;
    page = createServer((req, res) => {
      if (req.url === '/bundle.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script type="module" src="/bundle.js"></script>');
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    pageUrl = `http://127.0.0.1:${(page.address() as { port: number }).port}/`;
    // The Node side echoes every datagram back to its sender.
    nodeClient = new RelayClient({ url: relay.url, secretKey: nodeKey, authToken: TOKEN });
    nodeClient.on('datagrams', ({ src, datagrams }) => {
      seenByNode.push(src.toString());
      nodeClient.sendDatagram(src, datagrams.contents, 0);
    });
    await nodeClient.connect();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  });

  afterAll(async () => {
    await browser?.close();
    nodeClient?.close();
    await relay?.stop();
    page?.close();
  });

  it('the bundle has no Node built-ins', () => {
    expect(bundle).not.toMatch(
      /from\s*["']node:|require\(["'](node:)?(crypto|net|tls|http|https|dgram)["']\)/,
    );
  });

  it('authenticates with ?token= and exchanges datagrams with a Node client', async () => {
    const tab = await browser.newPage();
    await tab.goto(pageUrl);
    await tab.waitForFunction(() => 'irohRelayTest' in globalThis);
    const result = (await tab.evaluate(
      ([url, token, peer]) =>
        (
          globalThis as unknown as {
            irohRelayTest: (u: string, t: string, p: string, n: number) => Promise<unknown>;
          }
        ).irohRelayTest(url, token, peer, 3),
      [relay.url, TOKEN, nodeKey.public().toString()] as const,
    )) as BrowserRelayResult;
    expect(result.error).toBeUndefined();
    expect(result.protocol).toBe('iroh-relay-v2');
    expect(result.echoes.sort()).toEqual([0, 1, 2].map((i) => `hello ${i} from the browser`));
    expect(seenByNode).toContain(result.browserId);
    // The browser sent its token in the query string (browsers cannot set WebSocket headers).
    expect(tokenSources.get(result.browserId)).toEqual({ query: TOKEN, header: false });
    expect(tokenSources.get(nodeKey.public().toString())).toEqual({ query: null, header: true });
  });

  it('without the token the browser is denied with the reason', async () => {
    const tab = await browser.newPage();
    await tab.goto(pageUrl);
    await tab.waitForFunction(() => 'irohRelayTest' in globalThis);
    const result = (await tab.evaluate(
      ([url, peer]) =>
        (
          globalThis as unknown as {
            irohRelayTest: (u: string, t: string, p: string, n: number) => Promise<unknown>;
          }
        ).irohRelayTest(url, 'wrong', peer, 1),
      [relay.url, nodeKey.public().toString()] as const,
    )) as BrowserRelayResult;
    expect(result.error).toMatch(/not authorized/);
    expect(result.echoes).toEqual([]);
    expect(PublicKey.fromString(result.browserId)).toBeInstanceOf(PublicKey);
  });
});

import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { openWebSocket } from '../../src/client/websocket-browser.js';
import { fixedKey } from '../support/keys.js';
import { connected, nextDatagrams, startRelay } from '../support/relay.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  imports: Record<string, Record<string, string>>;
};

/** Every source module reachable from `entry`, resolving `#websocket` as a browser would. */
function browserGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8');
    seen.set(file, source);
    for (const [, spec] of source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      if (spec === undefined || spec.startsWith('@iroh-ts/') || spec.startsWith('@noble/')) continue;
      if (spec === '#websocket') {
        const target = pkg.imports['#websocket']!.default!.replace('./dist/', './src/').replace(
          /\.js$/,
          '.ts',
        );
        visit(join(root, target));
        continue;
      }
      if (!spec.startsWith('./') && !spec.startsWith('../')) throw new Error(`${file} imports ${spec}`);
      visit(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
  };
  visit(entry);
  return seen;
}

describe('the main entry is browser-safe', () => {
  test('no Node modules or `ws` are reachable from src/index.ts in the browser condition', () => {
    const graph = browserGraph(join(root, 'src', 'index.ts'));
    const files = [...graph.keys()];
    expect(files.some((f) => f.endsWith('websocket-browser.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('websocket-node.ts'))).toBe(false);
    expect(files.some((f) => f.includes('/server/'))).toBe(false);
    for (const [file, source] of graph) {
      const code = source.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      expect(code, file).not.toMatch(/from '(node:|ws')|require\(|\bBuffer\b|\bprocess\./);
    }
  });

  test('the package maps #websocket to the node adapter only under the node condition', () => {
    expect(pkg.imports['#websocket']).toEqual({
      node: './dist/client/websocket-node.js',
      default: './dist/client/websocket-browser.js',
    });
  });
});

describe('browser WebSocket adapter (global WebSocket stand-in: ws)', () => {
  const g = globalThis as { WebSocket?: unknown };
  const saved = g.WebSocket;
  afterEach(() => {
    g.WebSocket = saved;
  });

  test('works end to end, with the token in the query', async () => {
    g.WebSocket = WebSocket;
    const server = await startRelay({ access: { sharedToken: ['browser-token'] } });
    const options = {
      webSocketFactory: openWebSocket,
      authToken: 'browser-token',
      tokenInQuery: true,
    } as const;
    const a = await connected(server.url, fixedKey(1), options);
    const b = await connected(server.url, fixedKey(2), options);
    expect(a.dialUrl).toContain('token=browser-token');
    const got = nextDatagrams(b);
    a.sendDatagram(fixedKey(2).public(), Uint8Array.of(1, 2, 3));
    expect([...(await got).datagrams.contents]).toEqual([1, 2, 3]);
    expect(await a.ping()).toBeGreaterThanOrEqual(0);
  });

  test('without a global WebSocket the connect fails with a typed error', async () => {
    g.WebSocket = undefined;
    const server = await startRelay();
    await expect(
      connected(server.url, fixedKey(1), { webSocketFactory: openWebSocket, reconnect: false }),
    ).rejects.toMatchObject({
      code: 'ConnectFailed',
    });
  });
});

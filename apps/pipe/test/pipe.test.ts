import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointAddr, EndpointTicket } from '@iroh-ts/endpoint';
import { RelayServer } from '@iroh-ts/relay/server';
import { afterEach, describe, expect, it } from 'vitest';
import { App, killAll } from './support/app.js';

afterEach(() => killAll());

const LOOPBACK = ['--bind', '127.0.0.1:0'];
const MiB = 1024 * 1024;

/** Starts `listen`; resolves with it, its ticket, and the length of the ticket line on stdout. */
async function startListener(
  extra: string[] = [],
): Promise<{ app: App; ticket: EndpointTicket; header: number }> {
  const app = new App(['listen', ...LOOPBACK, ...extra]);
  const first = await app.firstLine();
  const m = /^ticket (\S+)$/.exec(first);
  expect(m, `first line: ${first}`).not.toBeNull();
  return { app, ticket: EndpointTicket.fromString(m![1]!), header: Buffer.byteLength(first) + 1 };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('iroh-ts-pipe', () => {
  it('carries 1 MiB each way intact over a direct ticket; both sides exit 0', async () => {
    const { app: listener, ticket, header } = await startListener();
    expect(ticket.endpointAddr().relayUrl()).toBeNull();
    expect(ticket.endpointAddr().directAddresses()[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    const toListener = new Uint8Array(randomBytes(MiB));
    const toConnector = new Uint8Array(randomBytes(MiB + 4321));
    listener.feed(toConnector);
    const connector = new App(['connect', ticket.toString(), ...LOOPBACK]);
    connector.feed(toListener);
    expect(await connector.exited()).toBe(0);
    expect(await listener.exited()).toBe(0);
    const received = listener.stdout().subarray(header);
    expect(received.length).toBe(toListener.length);
    expect(sha(received)).toBe(sha(toListener));
    expect(connector.stdout().length).toBe(toConnector.length);
    expect(sha(connector.stdout())).toBe(sha(toConnector));
    expect(listener.logs().find((r) => r.msg === 'done')).toMatchObject({
      sent: toConnector.length,
      received: MiB,
    });
    expect(connector.logs().find((r) => r.msg === 'done')).toMatchObject({
      sent: MiB,
      received: toConnector.length,
    });
  });

  it('one direction empty: 1 MiB arrives and both exit 0', async () => {
    const { app: listener, ticket, header } = await startListener();
    listener.feed(new Uint8Array(0));
    const data = new Uint8Array(randomBytes(MiB));
    const connector = new App(['connect', ticket.toString(), ...LOOPBACK]);
    connector.feed(data);
    expect(await connector.exited()).toBe(0);
    expect(await listener.exited()).toBe(0);
    expect(sha(listener.stdout().subarray(header))).toBe(sha(data));
    expect(connector.stdout().length).toBe(0);
  });

  it('pipes through a relay when the ticket holds only the relay URL', async () => {
    const relay = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } });
    try {
      const { app: listener, ticket, header } = await startListener(['--relay', relay.url]);
      const full = ticket.endpointAddr();
      expect(full.relayUrl()).toBe(relay.url);
      const relayOnly = EndpointTicket.fromAddr(new EndpointAddr(full.id(), full.relayUrl(), []));
      const data = new Uint8Array(randomBytes(MiB));
      listener.feed(new TextEncoder().encode('over the relay\n'));
      const connector = new App(['connect', relayOnly.toString(), '--relay', relay.url, ...LOOPBACK]);
      connector.feed(data);
      expect(await connector.exited(60_000)).toBe(0);
      expect(await listener.exited()).toBe(0);
      expect(sha(listener.stdout().subarray(header))).toBe(sha(data));
      expect(connector.stdout().toString()).toBe('over the relay\n');
      expect(connector.logs().find((r) => r.msg === 'connected')).toMatchObject({ path: 'relay' });
    } finally {
      await relay.stop();
    }
  });

  it('a listener stopped before anyone connects exits 0; stopped mid-pipe it exits 1 and the other side fails', async () => {
    const idle = await startListener();
    expect(await idle.app.stop()).toBe(0);
    expect(idle.app.stdout().toString()).toMatch(/^ticket \S+\n$/);

    // Both stdins stay open: the pipe is under way until the listener is stopped.
    const { app: listener, ticket } = await startListener();
    const connector = new App(['connect', ticket.toString(), ...LOOPBACK]);
    await listener.until(() => listener.logs().find((r) => r.msg === 'connected'), 'the listener connected');
    expect(await listener.stop()).toBe(1);
    expect(listener.logs().find((r) => r.msg === 'interrupted before the pipe ended')).toBeDefined();
    expect(await connector.exited()).toBe(1);
    expect(connector.logs().at(-1)).toMatchObject({ level: 'error', msg: 'failed' });
    expect(String(connector.logs().at(-1)?.error)).toMatch(/interrupted/);
  });

  it("--secret-key-file keeps the listener's EndpointId across runs", async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'iroh-ts-pipe-key-')), 'pipe.key');
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const { app, ticket } = await startListener(['--secret-key-file', path]);
      ids.push(ticket.endpointAddr().id().toString());
      expect(await app.stop()).toBe(0);
    }
    expect(ids[0]).toBe(ids[1]);
    expect((await readFile(path, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses bad command lines with status 2 and the usage', async () => {
    for (const args of [
      [],
      ['send'],
      ['connect'],
      ['connect', 'nope'],
      ['listen', 'extra'],
      ['listen', '--bind', 'x'],
    ]) {
      const app = new App(args);
      app.feed(new Uint8Array(0));
      expect(await app.exited(), args.join(' ')).toBe(2);
      expect(app.stderr()).toMatch(/Usage: iroh-ts-pipe/);
      expect(app.stdout().length).toBe(0);
    }
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointAddr, EndpointTicket, SecretKey } from '@iroh-ts/endpoint';
import { RelayServer } from '@iroh-ts/relay/server';
import { afterEach, describe, expect, it } from 'vitest';
import { App, killAll } from './support/app.js';

afterEach(() => killAll());

const LOOPBACK = ['--bind', '127.0.0.1:0'];

/** Starts `receive` and resolves with it and its ticket, once printed. */
async function startReceiver(extra: string[] = []): Promise<{ app: App; ticket: EndpointTicket }> {
  const app = new App(['receive', ...LOOPBACK, ...extra]);
  const first = await app.firstLine();
  const m = /^ticket (\S+)$/.exec(first);
  expect(m, `first line: ${first}`).not.toBeNull();
  return { app, ticket: EndpointTicket.fromString(m![1]!) };
}

/** Parses `key=value` pairs of an output line. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(
    line
      .split(' ')
      .slice(1)
      .map((kv) => kv.split('=', 2) as [string, string]),
  );
}

describe('iroh-ts-ping', () => {
  it('receive prints a direct ticket first; send pings it N times, prints each RTT and a summary', async () => {
    const { app: receiver, ticket } = await startReceiver();
    const addr = ticket.endpointAddr();
    expect(addr.relayUrl()).toBeNull();
    expect(addr.directAddresses()).toHaveLength(1);
    expect(addr.directAddresses()[0]).toMatch(/^127\.0\.0\.1:\d+$/);

    const sender = new App(['send', ticket.toString(), '--count', '4', ...LOOPBACK]);
    expect(await sender.exited()).toBe(0);
    const lines = sender.lines();
    expect(lines).toHaveLength(5);
    lines.slice(0, 4).forEach((line, i) => {
      expect(line).toMatch(/^pong seq=\d+ bytes=32 rtt_ms=\d+\.\d{3}$/);
      expect(fields(line).seq).toBe(String(i + 1));
      expect(Number(fields(line).rtt_ms)).toBeGreaterThan(0);
    });
    const summary = fields(lines[4]!);
    expect(lines[4]).toMatch(/^summary /);
    expect(summary).toMatchObject({
      sent: '4',
      received: '4',
      path: 'direct',
      remote: addr.directAddresses()[0],
    });
    const rtts = lines.slice(0, 4).map((l) => Number(fields(l).rtt_ms));
    expect(Number(summary.min_ms)).toBe(Math.min(...rtts));
    expect(Number(summary.max_ms)).toBe(Math.max(...rtts));

    // The receiver answered the four pings and saw the sender close the connection.
    const closed = await receiver.until(
      () => receiver.logs().find((r) => r.msg === 'connection closed'),
      'the receiver seeing the connection close',
    );
    expect(closed).toMatchObject({ pings: 4 });
    // It stops cleanly on SIGTERM, with nothing more on stdout.
    expect(await receiver.stop()).toBe(0);
    expect(receiver.lines()).toHaveLength(1);
    expect(receiver.logs().at(-1)).toMatchObject({ level: 'info', app: 'iroh-ts-ping', msg: 'stopped' });
  });

  it('pings through a relay when the ticket holds only the relay URL', async () => {
    const relay = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } });
    try {
      const { app: receiver, ticket } = await startReceiver(['--relay', relay.url]);
      const full = ticket.endpointAddr();
      expect(full.relayUrl()).toBe(relay.url);
      const relayOnly = EndpointTicket.fromAddr(new EndpointAddr(full.id(), full.relayUrl(), []));
      expect(relayOnly.endpointAddr().directAddresses()).toEqual([]);

      const sender = new App([
        'send',
        relayOnly.toString(),
        '--count',
        '2',
        '--relay',
        relay.url,
        ...LOOPBACK,
      ]);
      expect(await sender.exited(60_000)).toBe(0);
      const lines = sender.lines();
      expect(lines.filter((l) => l.startsWith('pong '))).toHaveLength(2);
      expect(fields(lines.at(-1)!)).toMatchObject({
        sent: '2',
        received: '2',
        path: 'relay',
        remote: relay.url,
      });
      expect(await receiver.stop()).toBe(0);
    } finally {
      await relay.stop();
    }
  });

  it('send stops cleanly on SIGTERM while it cannot reach the remote', async () => {
    const { app: receiver, ticket } = await startReceiver();
    expect(await receiver.stop()).toBe(0);
    // The receiver is gone: the handshake retries until we stop it.
    const sender = new App(['send', ticket.toString(), ...LOOPBACK]);
    await sender.until(() => sender.logs().find((r) => r.msg === 'connecting'), 'the sender connecting');
    expect(await sender.stop()).toBe(0);
    expect(sender.lines()).toEqual(['summary sent=0 received=0']);
  });

  it('receive stops at once on SIGTERM while it waits for an unreachable relay', async () => {
    // Nothing listens on port 1: the home relay never connects.
    const receiver = new App(['receive', ...LOOPBACK, '--relay', 'http://127.0.0.1:1']);
    await receiver.until(
      () => receiver.logs().find((r) => r.msg === 'waiting for a home relay'),
      'the receiver waiting for its relay',
    );
    // Well before the relay wait would give up (15 s): nothing may keep the process alive.
    expect(await receiver.stop(10_000)).toBe(0);
    expect(receiver.stdout().toString()).toBe('');
    expect(receiver.logs().at(-1)).toMatchObject({ msg: 'stopped' });
  });

  it("--secret-key-file keeps the receiver's EndpointId across runs", async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'iroh-ts-ping-key-')), 'ping.key');
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const app = new App(['receive', '--bind', '127.0.0.1:0', '--secret-key-file', path]);
      const line = await app.firstLine();
      ids.push(
        EndpointTicket.fromString(line.replace(/^ticket /, ''))
          .endpointAddr()
          .id()
          .toString(),
      );
      expect(await app.stop()).toBe(0);
    }
    expect(ids[0]).toBe(ids[1]);
    const stored = SecretKey.fromString((await readFile(path, 'utf8')).trim());
    expect(stored.public().toString()).toBe(ids[0]);
  });

  it('refuses bad command lines with status 2 and the usage', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['send'],
      ['send', 'not-a-ticket'],
      ['send', 'x', '--count', '0'],
      ['receive', '--bind', 'localhost'],
      ['receive', '--relay', 'ftp://relay.example'],
      ['receive', '--nope'],
    ]) {
      const app = new App(args);
      expect(await app.exited(), args.join(' ')).toBe(2);
      expect(app.stderr()).toMatch(/Usage: iroh-ts-ping/);
      expect(app.stdout().toString()).toBe('');
    }
    const help = new App(['--help']);
    expect(await help.exited()).toBe(0);
    expect(help.stdout().toString()).toMatch(/--secret-key-file/);
  });
});

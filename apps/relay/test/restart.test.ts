/**
 * Acceptance (relay issue): kill the relay process mid-session and start it again on the same
 * address: clients notice, reconnect within 5 s, and traffic resumes.
 */
import { createServer } from 'node:net';
import { type PublicKey, SecretKey } from '@iroh-ts/base';
import { RelayClient } from '@iroh-ts/relay';
import { describe, expect, it } from 'vitest';
import { startRelayApp } from './support/process.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Sends from `from` to `to` until one datagram arrives, or throws after `deadlineMs`. */
async function exchange(
  from: RelayClient,
  to: RelayClient,
  toId: PublicKey,
  deadlineMs: number,
): Promise<number> {
  const t0 = Date.now();
  let got = false;
  const off = to.on('datagrams', () => {
    got = true;
  });
  try {
    while (!got) {
      if (Date.now() - t0 > deadlineMs) throw new Error(`no datagram got through within ${deadlineMs} ms`);
      if (from.state === 'connected') from.sendDatagram(toId, Uint8Array.of(42), 0);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now() - t0;
  } finally {
    off();
  }
}

describe('relay restart', () => {
  it('clients reconnect after the relay is killed and restarted, and traffic resumes within 5 s', async () => {
    const port = await freePort();
    const args = ['--dev', '--http-bind-addr', `127.0.0.1:${port}`, '--metrics-bind-addr', '127.0.0.1:0'];
    let relay = await startRelayApp(args);
    const a = SecretKey.generate();
    const b = SecretKey.generate();
    const ca = new RelayClient({ url: relay.url, secretKey: a });
    const cb = new RelayClient({ url: relay.url, secretKey: b });
    const states: string[] = [];
    ca.on('state', ({ state }) => states.push(state));
    try {
      await Promise.all([ca.connect(), cb.connect()]);
      await exchange(ca, cb, b.public(), 5_000);

      relay.child.kill('SIGKILL'); // no Restarting frame: the clients only see the socket die
      await new Promise<void>((resolve) => relay.child.once('exit', () => resolve()));
      relay = await startRelayApp(args);
      const t0 = Date.now();
      await exchange(ca, cb, b.public(), 5_000);
      await exchange(cb, ca, a.public(), 5_000 - (Date.now() - t0));
      expect(states).toContain('reconnecting');
      expect(ca.state).toBe('connected');
    } finally {
      ca.close();
      cb.close();
      relay.child.kill('SIGKILL');
    }
  });
});

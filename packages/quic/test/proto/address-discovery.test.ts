import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import type { AddressDiscoveryRole } from '../../src/proto/transport-params.js';
import { events, makePair } from '../support/pair-helpers.js';

const CLIENT = '10.0.0.1:1000';

function pairWith(client: AddressDiscoveryRole | undefined, server: AddressDiscoveryRole | undefined) {
  return makePair({
    seed: 61,
    client: { config: { addressDiscovery: client } },
    server: { config: { addressDiscovery: server, maxConcurrentBidiStreams: 0, maxConcurrentUniStreams: 0 } },
  });
}

const observed = (log: ConnectionEvent[]) =>
  log.filter(
    (e): e is Extract<ConnectionEvent, { type: 'observed-address' }> => e.type === 'observed-address',
  );

describe('address discovery (OBSERVED_ADDRESS, as QAD uses it)', () => {
  it("a send-only server reports the client's address to a receive-only client", () => {
    const { pair, client, server } = pairWith('receiveOnly', 'sendOnly');
    const log: ConnectionEvent[] = [];
    pair.runUntil(() => observed(events(client, log)).length > 0);
    expect(observed(log)[0]!.addr).toBe(CLIENT);
    expect(client.observedAddress).toBe(CLIENT);
    // The server learns nothing about itself.
    expect(observed(events(server)).length).toBe(0);
  });

  it('reports the new address after the client moves (NAT rebinding)', () => {
    const { pair, client } = pairWith('receiveOnly', 'sendOnly');
    const log: ConnectionEvent[] = [];
    pair.runUntil(() => observed(events(client, log)).length > 0);
    // The client's next packet (its 5 s keep-alive at the latest) comes from the new address.
    pair.addrs[0] = '10.0.0.7:7000';
    pair.runUntil(() => observed(events(client, log)).some((e) => e.addr === '10.0.0.7:7000'), {
      deadline: pair.now + 10_000,
    });
    expect(client.observedAddress).toBe('10.0.0.7:7000');
  });

  it('nothing is reported unless the sender may send and the receiver wants it', () => {
    for (const [c, s] of [
      [undefined, 'sendOnly'],
      ['receiveOnly', undefined],
      ['sendOnly', 'sendOnly'],
      ['receiveOnly', 'receiveOnly'],
    ] as const) {
      const { pair, client } = pairWith(c, s);
      pair.runUntil(() => !client.isHandshaking);
      const end = pair.now + 500;
      while (pair.step(end)) {
        /* run */
      }
      expect(observed(events(client)).length).toBe(0);
      expect(client.isClosed).toBe(false);
    }
  });
});

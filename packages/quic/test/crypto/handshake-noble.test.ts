import { describe, expect, it, vi } from 'vitest';
import { NamedGroup } from '../../src/crypto/tls/constants.js';
import { createTlsSession, tlsBackendName } from '../../src/crypto/tls/index.js';
import {
  clientKey,
  expectFailure,
  handshake,
  rpkClientConfig,
  rpkServerConfig,
} from './handshake-helpers.js';

// Run the handshake on the browser backend (@noble), as `#tls-backend` resolves outside Node.
vi.mock('#tls-backend', () => import('../../src/crypto/backend/tls-noble.js'));

describe('raw-public-key handshake on the @noble backend', () => {
  it('uses the pure-JS backend', () => {
    expect(tlsBackendName).toBe('@noble');
  });

  it('completes, also through a HelloRetryRequest to secp256r1', () => {
    for (const groups of [undefined, [NamedGroup.secp256r1]]) {
      const r = handshake(rpkClientConfig(), rpkServerConfig({ groups }));
      expect(r.error).toBeUndefined();
      expect(r.client.isHandshaking || r.server.isHandshaking).toBe(false);
      const label = new TextEncoder().encode('x');
      expect(r.client.exportKeyingMaterial(label, label, 16)).toEqual(
        r.server.exportKeyingMaterial(label, label, 16),
      );
    }
  });

  it('still rejects the wrong server key', () => {
    const r = handshake(
      rpkClientConfig({ verify: { kind: 'raw-public-key', expected: clientKey.public() } }),
    );
    expectFailure(r, 'client', 'unknown_ca');
  });

  it('completes handshake after handshake with fresh identities', () => {
    // Speed is the benchmarks' business; here each of many handshakes must succeed on its own keys.
    for (let i = 0; i < 20; i++) {
      const r = handshake(rpkClientConfig({}, `nc${i}`), rpkServerConfig({}, `ns${i}`));
      expect(r.error).toBeUndefined();
      expect(r.client.isHandshaking || r.server.isHandshaking).toBe(false);
    }
  });

  it('cannot do X.509 here, and says so at construction', () => {
    expect(() =>
      createTlsSession(
        rpkClientConfig({ identity: undefined, verify: { kind: 'x509', roots: [] }, now: () => 0 }),
      ),
    ).toThrow(/X.509/);
  });
});

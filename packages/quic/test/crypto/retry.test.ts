import { hexEncode } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import { retryIntegrityTag, verifyRetryIntegrity } from '../../src/crypto/retry.js';
import { parseHeader } from '../../src/proto/packet.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
// RFC 9001 Appendix A.4: a Retry for ODCID 8394c8f03e515708 with token "token".
const ODCID = hex('8394c8f03e515708');
const RETRY = hex('ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba');

describe('Retry integrity (RFC 9001 §5.8, Appendix A.4)', () => {
  it('computes the RFC tag and verifies the RFC packet', () => {
    expect(hexEncode(retryIntegrityTag(ODCID, RETRY.subarray(0, RETRY.length - 16)))).toBe(
      hexEncode(RETRY.subarray(-16)),
    );
    expect(verifyRetryIntegrity(ODCID, RETRY)).toBe(true);
    const h = parseHeader(RETRY, 0, 8);
    expect(h.type).toBe('retry');
    expect(new TextDecoder().decode(h.token)).toBe('token');
  });

  it('rejects a wrong original DCID or any flipped bit', () => {
    expect(verifyRetryIntegrity(hex('8394c8f03e515709'), RETRY)).toBe(false);
    for (let i = 0; i < RETRY.length; i++) {
      const bad = RETRY.slice();
      bad[i]! ^= 0x01;
      expect(verifyRetryIntegrity(ODCID, bad), `byte ${i}`).toBe(false);
    }
  });
});

import { IrohError } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import {
  cryptoErrorCode,
  TransportError,
  TransportErrorCode,
  transportErrorName,
} from '../../src/proto/transport-error.js';

describe('transport error codes (RFC 9000 §20.1)', () => {
  it('has the RFC values', () => {
    expect(TransportErrorCode).toEqual({
      NO_ERROR: 0x00,
      INTERNAL_ERROR: 0x01,
      CONNECTION_REFUSED: 0x02,
      FLOW_CONTROL_ERROR: 0x03,
      STREAM_LIMIT_ERROR: 0x04,
      STREAM_STATE_ERROR: 0x05,
      FINAL_SIZE_ERROR: 0x06,
      FRAME_ENCODING_ERROR: 0x07,
      TRANSPORT_PARAMETER_ERROR: 0x08,
      CONNECTION_ID_LIMIT_ERROR: 0x09,
      PROTOCOL_VIOLATION: 0x0a,
      INVALID_TOKEN: 0x0b,
      APPLICATION_ERROR: 0x0c,
      CRYPTO_BUFFER_EXCEEDED: 0x0d,
      KEY_UPDATE_ERROR: 0x0e,
      AEAD_LIMIT_REACHED: 0x0f,
      NO_VIABLE_PATH: 0x10,
    });
  });

  it('names codes, including the CRYPTO_ERROR range', () => {
    for (const [name, code] of Object.entries(TransportErrorCode)) {
      expect(transportErrorName(code)).toBe(name);
      expect(transportErrorName(BigInt(code))).toBe(name);
    }
    expect(transportErrorName(0x100)).toBe('CRYPTO_ERROR');
    expect(transportErrorName(0x1ff)).toBe('CRYPTO_ERROR');
    expect(transportErrorName(0x11)).toBe('UNKNOWN');
    expect(transportErrorName(0x200)).toBe('UNKNOWN');
    expect(transportErrorName(1n << 61n)).toBe('UNKNOWN');
    expect(cryptoErrorCode(0x28)).toBe(0x128);
    expect(() => cryptoErrorCode(256)).toThrow(RangeError);
  });
});

describe('TransportError', () => {
  it('carries name, numeric code, frame type and reason', () => {
    const e = TransportError.frameEncoding('bad ACK', 0x02);
    expect(e).toBeInstanceOf(IrohError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('TransportError');
    expect(e.code).toBe('FRAME_ENCODING_ERROR');
    expect(e.errorCode).toBe(7);
    expect(e.frameType).toBe(2);
    expect(e.reason).toBe('bad ACK');
    expect(e.message).toContain('FRAME_ENCODING_ERROR');
    expect(e.message).toContain('0x2');
    expect(e.tlsAlert).toBeUndefined();
  });

  it('has a named constructor for every code', () => {
    const made: [TransportError, number][] = [
      [TransportError.noError(), 0x00],
      [TransportError.internal('x'), 0x01],
      [TransportError.connectionRefused('x'), 0x02],
      [TransportError.flowControl('x'), 0x03],
      [TransportError.streamLimit('x'), 0x04],
      [TransportError.streamState('x'), 0x05],
      [TransportError.finalSize('x'), 0x06],
      [TransportError.frameEncoding('x'), 0x07],
      [TransportError.transportParameter('x'), 0x08],
      [TransportError.connectionIdLimit('x'), 0x09],
      [TransportError.protocolViolation('x'), 0x0a],
      [TransportError.invalidToken('x'), 0x0b],
      [TransportError.application(), 0x0c],
      [TransportError.cryptoBufferExceeded('x'), 0x0d],
      [TransportError.keyUpdate('x'), 0x0e],
      [TransportError.aeadLimitReached('x'), 0x0f],
      [TransportError.noViablePath('x'), 0x10],
    ];
    for (const [e, code] of made) {
      expect(e.errorCode).toBe(code);
      expect(e.code).toBe(transportErrorName(code));
      expect(e.frameType).toBeUndefined();
    }
    const c = TransportError.crypto(0x2a, 'bad certificate');
    expect(c.code).toBe('CRYPTO_ERROR');
    expect(c.errorCode).toBe(0x12a);
    expect(c.tlsAlert).toBe(0x2a);
  });
});

/**
 * WebSocket close codes the relay server uses when it ends a client connection.
 *
 * @module
 */

/** WebSocket close codes used by the relay. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  ServiceRestart: 1012,
} as const;

import { IrohError } from '@iroh-ts/base';
import type { CloseReason } from '../proto/connection/events.js';

/** The connection is closed (locally, by the peer, by idle timeout or reset). */
export class ConnectionError extends IrohError {
  declare readonly code: 'ConnectionClosed' | 'ApplicationClosed' | 'TimedOut' | 'Reset' | 'LocallyClosed';
  readonly reason: CloseReason | undefined;
  constructor(reason: CloseReason | undefined) {
    const [code, message] = describe(reason);
    super(code, message);
    this.reason = reason;
  }
}

function describe(r: CloseReason | undefined): [ConnectionError['code'], string] {
  if (!r) return ['LocallyClosed', 'connection closed'];
  switch (r.kind) {
    case 'timeout':
      return ['TimedOut', 'connection timed out (idle)'];
    case 'stateless-reset':
      return ['Reset', 'connection reset by the peer (stateless reset)'];
    case 'application':
      return [
        r.remote ? 'ApplicationClosed' : 'LocallyClosed',
        `connection closed by ${r.remote ? 'the peer' : 'us'}: code ${r.errorCode}${r.reason.length ? `, ${new TextDecoder().decode(r.reason)}` : ''}`,
      ];
    case 'transport':
      return [
        'ConnectionClosed',
        `connection closed by ${r.remote ? 'the peer' : 'us'}: transport error 0x${r.errorCode.toString(16)} ${r.reason}`,
      ];
  }
}

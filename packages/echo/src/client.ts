/** The echo protocol's client side. */
import type { Endpoint, EndpointAddr, PublicKey } from '@iroh-ts/endpoint';
import { ECHO_ALPN } from './protocol.js';

/**
 * Connects to `addr` with {@link ECHO_ALPN}, sends `data` on one bidirectional stream, finishes it,
 * and resolves with what came back (equal to `data` when the remote echoes correctly). Sending and
 * receiving run concurrently, so payloads larger than the flow-control windows work. The connection
 * is closed afterwards.
 *
 * @param endpoint - our endpoint (it need not accept the echo ALPN itself).
 * @param addr - the remote's address, or just its EndpointId when address lookup can find it.
 * @param data - the bytes to send.
 * @throws `ConnectError` when the connection cannot be made; a stream error when the remote resets
 *   the stream or sends back more than `data.length` bytes.
 *
 * @example
 * ```ts
 * const back = await echo(endpoint, serverAddr, new TextEncoder().encode('hello'));
 * ```
 */
export async function echo(
  endpoint: Endpoint,
  addr: EndpointAddr | PublicKey,
  data: Uint8Array,
): Promise<Uint8Array> {
  const conn = await endpoint.connect(addr, ECHO_ALPN);
  try {
    const { send, recv } = await conn.openBi();
    const [, echoed] = await Promise.all([
      (async () => {
        await send.writeAll(data);
        await send.finish();
      })(),
      recv.readToEnd(data.length),
    ]);
    return echoed;
  } finally {
    conn.close(0n);
  }
}

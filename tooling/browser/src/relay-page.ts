/**
 * Runs in the browser: a relay client from the real `@iroh-ts/relay` bundle (global WebSocket, token in
 * `?token=`, @noble Ed25519) connects to a relay, sends datagrams to a Node peer and collects the
 * echoes. The test calls `window.irohRelayTest(...)` through playwright.
 */
import { PublicKey, SecretKey } from '@iroh-ts/base';
import { RelayClient } from '@iroh-ts/relay';

export interface BrowserRelayResult {
  readonly browserId: string;
  readonly protocol: string | undefined;
  readonly echoes: string[];
  readonly error?: string;
}

async function irohRelayTest(
  url: string,
  token: string,
  peerId: string,
  count: number,
): Promise<BrowserRelayResult> {
  const secret = SecretKey.generate();
  const client = new RelayClient({
    url,
    secretKey: secret,
    authToken: token,
    tokenInQuery: true,
    reconnect: false,
  });
  const echoes: string[] = [];
  try {
    const got = new Promise<void>((resolve) => {
      client.on('datagrams', ({ src, datagrams }) => {
        if (src.toString() !== peerId) return;
        echoes.push(new TextDecoder().decode(datagrams.contents));
        if (echoes.length === count) resolve();
      });
    });
    await client.connect();
    const peer = PublicKey.fromString(peerId);
    for (let i = 0; i < count; i++)
      client.sendDatagram(peer, new TextEncoder().encode(`hello ${i} from the browser`), 0);
    await got;
    return { browserId: secret.public().toString(), protocol: client.protocolVersion, echoes };
  } catch (e) {
    return {
      browserId: secret.public().toString(),
      protocol: client.protocolVersion,
      echoes,
      error: String(e),
    };
  } finally {
    client.close();
  }
}

(globalThis as unknown as { irohRelayTest: typeof irohRelayTest }).irohRelayTest = irohRelayTest;

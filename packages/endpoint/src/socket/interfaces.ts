/**
 * The machine's IP addresses, for advertising direct addresses when a socket is bound to an
 * unspecified address (`0.0.0.0` / `::`). Loopback and link-local addresses are left out unless there
 * is nothing else. Node only: elsewhere (browsers) the list is empty.
 */
import { SocketAddr } from '@iroh-ts/base';

/** The local interface addresses (port 0). */
export async function localInterfaceAddrs(): Promise<SocketAddr[]> {
  let os: typeof import('node:os');
  try {
    os = await import('node:os');
  } catch {
    return [];
  }
  const all: { addr: SocketAddr; internal: boolean }[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80')) continue;
      const text = i.family === 'IPv6' ? `[${i.address}]:0` : `${i.address}:0`;
      try {
        all.push({ addr: SocketAddr.parse(text), internal: i.internal });
      } catch {
        // Scoped or odd addresses: skip.
      }
    }
  }
  const external = all.filter((a) => !a.internal);
  return (external.length > 0 ? external : all).map((a) => a.addr);
}

/** IP address text for record data, reusing Rust-compatible formatting from `@iroh-ts/base`. */
import { SocketAddr } from '@iroh-ts/base';

/** Formats 4 or 16 address bytes as text (`1.2.3.4`, `2001:db8::1`). */
export function formatIp(bytes: Uint8Array): string {
  return SocketAddr.fromParts(bytes, 0).ip();
}

/** Parses an IPv4 or IPv6 address (no brackets). @returns the bytes, or `undefined` when invalid. */
export function parseIp(text: string): Uint8Array | undefined {
  try {
    const addr = text.includes(':') ? SocketAddr.parse(`[${text}]:0`) : SocketAddr.parse(`${text}:0`);
    return addr.ipBytes();
  } catch {
    return undefined;
  }
}

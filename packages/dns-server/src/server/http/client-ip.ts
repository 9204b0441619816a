import { parseIp } from '../../dns/ip-text.js';

/** Request data needed to find the client address. */
export interface ClientInfo {
  /** The TCP peer address. */
  readonly peer: string | undefined;
  /** Request headers (lowercase names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

function header(info: ClientInfo, name: string): string | undefined {
  const v = info.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function normalise(ip: string): string | undefined {
  let s = ip.trim().replace(/^"|"$/g, '');
  if (s.startsWith('[')) s = s.slice(1, s.indexOf(']') > 0 ? s.indexOf(']') : undefined);
  else if (/^[0-9.]+:[0-9]+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  if (s.startsWith('::ffff:') && parseIp(s.slice(7))?.length === 4) s = s.slice(7);
  return parseIp(s) ? s.toLowerCase() : undefined;
}

/** The peer IP, IPv4-mapped IPv6 shown as IPv4 (tower-governor `PeerIpKeyExtractor`). */
export function peerIp(info: ClientInfo): string {
  return (info.peer && normalise(info.peer)) ?? info.peer ?? 'unknown';
}

/**
 * The client IP from proxy headers, first `X-Forwarded-For` entry, then `X-Real-IP`, then
 * `Forwarded: for=`, else the peer IP (tower-governor `SmartIpKeyExtractor`).
 */
export function smartIp(info: ClientInfo): string {
  const xff = header(info, 'x-forwarded-for');
  if (xff) {
    const ip = normalise(xff.split(',')[0] ?? '');
    if (ip) return ip;
  }
  const real = header(info, 'x-real-ip');
  if (real) {
    const ip = normalise(real);
    if (ip) return ip;
  }
  const fwd = header(info, 'forwarded');
  if (fwd) {
    const m = /for=("?\[?[0-9a-fA-F:.]+\]?(?::[0-9]+)?"?)/i.exec(fwd);
    const ip = m ? normalise(m[1]!) : undefined;
    if (ip) return ip;
  }
  return peerIp(info);
}

/**
 * IP address text parsing and formatting that matches Rust's `std::net` exactly, so that addresses we
 * print are the strings iroh prints (for example `[::ffff:1.2.3.4]:80` and `[2001:db8::1]:443`).
 */

/** Parses a dotted-quad IPv4 address the way Rust does (no leading zeros, exactly four octets). */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseGroups(text: string, allowV4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (allowV4Tail && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
    groups.push(Number.parseInt(p, 16));
  }
  return groups;
}

/** Parses an IPv6 address (no brackets, no zone) the way Rust does. */
export function parseIpv6(text: string): Uint8Array | undefined {
  let groups: number[] | undefined;
  const dbl = text.indexOf('::');
  if (dbl >= 0) {
    if (text.indexOf('::', dbl + 1) >= 0) return undefined;
    const head = parseGroups(text.slice(0, dbl), false);
    const tail = parseGroups(text.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    groups = parseGroups(text, true);
    if (groups?.length !== 8) return undefined;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Formats 4 bytes as a dotted quad. */
export function formatIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * Formats 16 bytes as Rust's `Ipv6Addr` `Display` does: IPv4-mapped addresses as `::ffff:a.b.c.d`,
 * otherwise lowercase groups with the longest run (of two or more) of zero groups compressed to `::`.
 */
export function formatIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(b.subarray(12))}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

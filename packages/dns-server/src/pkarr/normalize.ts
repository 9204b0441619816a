/**
 * Names inside a pkarr packet are relative to the signer's key: `_iroh` becomes `_iroh.<z32>`, `@` or an
 * empty name becomes `<z32>`, and a name that already ends in `<z32>` is kept (pkarr and iroh
 * `normalize_name`).
 */

/** Normalises `name` relative to `origin` (the signer's z-base-32 key). */
export function normalizeName(origin: string, name: string): string {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const parts = trimmed.split('.');
  const last = parts[parts.length - 1] ?? '';
  if (last === origin) return trimmed;
  if (last === '@' || last === '') return origin;
  return `${trimmed}.${origin}`;
}

/** The BEP-44 bytes a pkarr signature covers: `3:seqi<ts>e1:v<len>:<dns>`. */
export function signable(timestamp: bigint, dns: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`3:seqi${timestamp}e1:v${dns.length}:`);
  const out = new Uint8Array(prefix.length + dns.length);
  out.set(prefix);
  out.set(dns, prefix.length);
  return out;
}

/** fast-check generators shared by the interop tests. */
import fc from 'fast-check';

/** A relay URL as users write them: http or https, a host name or IPv4, optional port, path or trailing slash. */
export const relayUrlText = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    fc.oneof({ weight: 4, arbitrary: fc.domain() }, { weight: 1, arbitrary: fc.ipV4() }),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    fc.constantFrom('', '/', '/relay', '/relay/', '/a/b'),
    fc.boolean(),
  )
  .map(([scheme, host, port, path, fqdn]) => {
    const h = fqdn && /[a-z]$/.test(host) ? `${host}.` : host;
    return `${scheme}://${h}${port === undefined ? '' : `:${port}`}${path}`;
  });

/** `ip:port` for IPv4 or `[ip]:port` for IPv6. */
export const socketAddrText = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 })).map(([ip, p]) => `${ip}:${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 65535 })).map(([ip, p]) => `[${ip}]:${p}`),
);

export const seed32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** `number[]` for `@number0/iroh`'s API, which takes arrays instead of Uint8Array. */
export const arr = (b: Uint8Array): number[] => Array.from(b);
export const u8 = (a: number[]): Uint8Array => Uint8Array.from(a);

/**
 * A `fetch` that trusts the endpoint's CA roots (iroh's `CaRootsConfig`): the platform's roots plus
 * extra ones, or none at all for tests. Node's global fetch cannot take CA options, so on Node this
 * goes through node:https; elsewhere (browsers) the global fetch is used and the roots are the
 * browser's.
 */
import type { FetchFn } from '@iroh-ts/dns-server';
import type { CaRootsConfig } from './builder.js';

/** A fetch for `config`, or the global fetch when there is nothing to add (or no node:https). */
export function caRootsFetch(config: CaRootsConfig | undefined): FetchFn {
  const global: FetchFn = (input, init) => fetch(input, init);
  if (!config || (!config.extraRoots?.length && !config.insecureSkipVerify)) return global;
  if (
    typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== 'string'
  )
    return global;
  return async (input, init) => {
    const url = new URL(input);
    if (url.protocol !== 'https:') return global(input, init);
    const [https, tls] = await Promise.all([import('node:https'), import('node:tls')]);
    const ca = [...tls.rootCertificates, ...(config.extraRoots ?? []).map((r) => Buffer.from(r))];
    const body = init?.body;
    const payload =
      body === undefined || body === null
        ? undefined
        : typeof body === 'string'
          ? Buffer.from(body)
          : body instanceof Uint8Array
            ? Buffer.from(body.buffer, body.byteOffset, body.byteLength)
            : Buffer.from(await new Response(body).arrayBuffer());
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: init?.method ?? 'GET',
          headers: Object.fromEntries(new Headers(init?.headers).entries()),
          ca,
          rejectUnauthorized: !config.insecureSkipVerify,
          signal: init?.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (typeof v === 'string') headers.set(k, v);
              else if (Array.isArray(v)) for (const x of v) headers.append(k, x);
            }
            const status = res.statusCode ?? 500;
            const nullBody = status === 204 || status === 304;
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';

/** CORS headers sent on every response: any origin (iroh uses tower-http `CorsLayer` with `Any`). */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
};

/** Sends a complete response with CORS headers. */
export function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array = '',
  headers: Record<string, string> = {},
): void {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  const all: Record<string, string> = { ...CORS_HEADERS, 'content-length': String(data.length), ...headers };
  if (data.length > 0 && all['content-type'] === undefined) all['content-type'] = 'text/plain; charset=utf-8';
  res.writeHead(status, all);
  res.end(data);
}

/** Sends an error as JSON `{status, detail}` (iroh `AppError`). */
export function sendError(res: ServerResponse, status: number, detail?: string): void {
  send(res, status, JSON.stringify({ status: String(status), detail: detail ?? null }), {
    'content-type': 'application/json',
  });
}

/** Result of {@link readBody}. */
export type BodyResult =
  | { readonly ok: true; readonly body: Uint8Array }
  | { readonly ok: false; readonly tooLarge: boolean };

/**
 * Reads a request body of at most `limit` bytes. A larger body (by `content-length` or as it streams) is
 * refused without buffering it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ ok: false, tooLarge: true });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const buf = Buffer.concat(chunks, size);
      resolve({ ok: true, body: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) });
    });
    req.on('error', () => {
      if (done) return;
      done = true;
      resolve({ ok: false, tooLarge: false });
    });
  });
}

// Child process of crash-safety.test.ts. It loads the package, then waits for a line on stdin before
// opening the LmdbStore in the directory given as the first argument (so the test can boot the next child
// while the current one still runs), starts a pkarr relay on it and prints `{"url": "<relay URL>"}` on one
// line. It serves until killed.
import { createInterface } from 'node:readline';
import { PkarrServer } from '../../dist/server/index.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: lmdb-crash-child.mjs <store directory>');
  process.exit(2);
}
await import('lmdb'); // load the native module before the go signal, off the test's critical path
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
const server = await PkarrServer.start({
  store: { kind: 'lmdb', path: dir },
  http: { port: 0, host: '127.0.0.1', rateLimit: 'disabled' },
  dns: false,
  eviction: false,
});
process.stdout.write(`${JSON.stringify({ url: server.pkarrUrl })}\n`);

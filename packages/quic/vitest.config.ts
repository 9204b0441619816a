import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      // Tests run on the sources; on Node the package's `imports` pick the node:crypto backend.
      '#crypto-backend': fileURLToPath(new URL('./src/crypto/backend/node.ts', import.meta.url)),
      '#tls-backend': fileURLToPath(new URL('./src/crypto/backend/tls-node.ts', import.meta.url)),
    },
  },
  test: { include: ['test/**/*.test.ts'], testTimeout: 300_000 },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      // Tests run on the sources; the Node backend is the one package `imports` picks on Node.
      '#ed25519-backend': fileURLToPath(new URL('./src/ed25519/node-backend.ts', import.meta.url)),
    },
  },
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});

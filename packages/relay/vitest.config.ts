import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      // Tests run on the sources; on Node the package's `imports` pick the `ws` adapter.
      '#websocket': fileURLToPath(new URL('./src/client/websocket-node.ts', import.meta.url)),
    },
  },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});

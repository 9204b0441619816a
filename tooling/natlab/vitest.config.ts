import { defineConfig } from 'vitest/config';

// The lab's test files run one after the other: each builds network namespaces, and punch timings
// should not compete with another file's processes on a small machine.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, fileParallelism: false },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Most of the suite waits on sockets and on LookupEvents' 2 calls/s, not on the CPU: four
    // files at a time keep 2 cores busy (one at a time, the default there, left them idle).
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Many files wait on sockets and on LookupEvents' 2 calls/s: four files at a time keep 2 cores
    // busy (one at a time, the default there, left them idle).
    maxWorkers: 4,
    // Each worker keeps the modules it loaded for its next file: CI is CPU-bound on 2 cores, and
    // re-importing the SDK clients, DuckDB and the simulator for every file cost a fifth of the
    // suite's CPU (measured: 1,840 s user+sys isolated, 1,452 s shared). No test relies on a fresh
    // module: state lives in each file's own simulated account and temp folders, and tests that
    // set process.env put it back.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

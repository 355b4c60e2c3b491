import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// The end-to-end suite: the whole orders stream as real processes (see README.md). The demo's harness
// (broker, mail catcher, supervisor) runs in the test process from source; the apps run from dist/, as
// `npm run demo` runs them, so `npm run build` must have run (npm install does it).
const timeoutScale = Math.max(1, Number(process.env.E2E_TIMEOUT_SCALE) || 1);

export default defineConfig({
  root: new URL('../../', import.meta.url).pathname,
  resolve: { conditions: ['@orders/source'] },
  ssr: {
    resolve: { conditions: ['@orders/source', ...defaultServerConditions.filter((c) => c !== 'module')] },
  },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    // Every wait inside has its own, shorter bound with a message saying what did not happen.
    // E2E_TIMEOUT_SCALE stretches them with the waits (test/e2e/system.ts).
    testTimeout: 90_000 * timeoutScale,
    hookTimeout: 90_000 * timeoutScale,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
});

import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// The workshop suite: ONE demo (embedded broker, mail catcher, the apps as processes, on free ports),
// then `npm run lab -- solve N` for every lab in order, each followed by its check. The demo's harness
// runs from source; the apps and the lab CLI run from dist/, so `npm run build` must have run.
export default defineConfig({
  root: new URL('../../', import.meta.url).pathname,
  resolve: { conditions: ['@orders/source'] },
  ssr: {
    resolve: { conditions: ['@orders/source', ...defaultServerConditions.filter((c) => c !== 'module')] },
  },
  test: {
    include: ['test/workshop/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
    // Each lab waits with its own bounds and says what did not happen.
    testTimeout: 360_000,
    hookTimeout: 120_000,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
});

import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// The chaos suite (`npm run test:chaos`): the broker as a real process, SIGKILLed under idempotent
// producers, and a bounded fuzz pass on its Kafka port. Short by default (CI); longer with the
// CHAOS_* variables described in test/chaos/README.md.
export default defineConfig({
  root: new URL('../../', import.meta.url).pathname,
  resolve: { conditions: ['@orders/source'] },
  ssr: {
    resolve: { conditions: ['@orders/source', ...defaultServerConditions.filter((c) => c !== 'module')] },
  },
  test: {
    include: ['test/chaos/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    // each wait inside has its own bound and message; the whole run scales with CHAOS_KILLS
    testTimeout: 60 * 60_000,
    hookTimeout: 60_000,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
});

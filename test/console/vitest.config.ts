import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// The console in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against an
// in-process broker serving apps/console/dist, with the demo's control API and a small consumer app.
// Needs the console built (npm run build) and chromium installed (.ci/run does both).
// Screenshots go to test-results/console/.
export default defineConfig({
  root: new URL('../../', import.meta.url).pathname,
  resolve: { conditions: ['@orders/source'] },
  ssr: {
    resolve: { conditions: ['@orders/source', ...defaultServerConditions.filter((c) => c !== 'module')] },
  },
  test: {
    include: ['test/console/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
});

import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// Tests run the libraries from source (the `@orders/source` export condition); builds use dist/.
export default defineConfig({
  resolve: { conditions: ['@orders/source'] },
  ssr: { resolve: { conditions: ['@orders/source', ...defaultServerConditions] } },
  test: {
    include: ['libs/**/src/**/*.test.ts', 'apps/**/src/**/*.test.ts', 'test/integration/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

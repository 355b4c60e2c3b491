import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// Tests run the libraries from source (the `@orders/source` export condition); builds use dist/.
export default defineConfig({
  // Nest's constructor injection needs decorator metadata (oxc reads these only from a file named
  // tsconfig.json, so they are set here explicitly; see apps/order-db/src/metadata.test.ts).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: { conditions: ['@orders/source'] },
  // Without 'module': packages such as @opentelemetry/api point it at builds only a bundler can load.
  ssr: {
    resolve: { conditions: ['@orders/source', ...defaultServerConditions.filter((c) => c !== 'module')] },
  },
  test: {
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }, // the apps' JSON logs (@orders/messaging)
    include: [
      'libs/**/src/**/*.test.ts',
      'apps/**/src/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/deploy/**/*.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

// Real-client compatibility suite: kafkajs, kcat, the Java clients and Kafka's own CLI tools against
// our broker (COMPAT_TARGET=sps, the default) or Apache Kafka (COMPAT_TARGET=kafka). See README.md.
export default defineConfig({
  // Run from the repo root wherever vitest was started.
  root: new URL('../../', import.meta.url).pathname,
  resolve: { conditions: ['@orders/source'] },
  ssr: { resolve: { conditions: ['@orders/source', ...defaultServerConditions] } },
  // The Nest test app (test/compat/nest) needs legacy decorators with metadata for constructor
  // injection; without it Nest silently injects undefined.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['test/compat/**/*.test.ts'],
    pool: 'forks',
    // Brokers and JVMs are heavy on 2 cores: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
});

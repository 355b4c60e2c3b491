/** Starts an in-process broker on free ports with a throwaway data directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startBroker, silentLogger, type BrokerHandle, type BrokerOptions } from '@orders/sps-broker';

export interface TestBroker extends BrokerHandle {
  /** Closes the broker and removes its data directory. */
  destroy(): Promise<void>;
}

export async function tempDir(prefix = 'sps-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startTestBroker(options: BrokerOptions = {}): Promise<TestBroker> {
  const dataDir = options.dataDir ?? (await tempDir());
  const handle = await startBroker({ port: 0, httpPort: null, logger: silentLogger, ...options, dataDir });
  return {
    ...handle,
    async destroy() {
      await handle.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

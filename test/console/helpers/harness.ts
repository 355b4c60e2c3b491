/**
 * The console's browser-test world: an embedded broker on free ports serving the built console, the
 * demo's Supervisor and control API mounted on the broker's HTTP port (as `npm run demo` does), and
 * a small kafkajs consumer app (helpers/consumer-app.mjs) standing in for a consumer-group app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createControlApi, Supervisor, type AppDefinition } from '@orders/demo';
import { startBroker, type BrokerHandle } from '@orders/sps-broker';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..');
export const CONSOLE_DIR = path.join(ROOT, 'apps', 'console', 'dist');

export const APP = 'order-db';
const APPS: AppDefinition[] = [
  { name: APP, port: 0, kind: 'consumer', description: 'test consumer (saves the order)' },
];

export interface World {
  broker: BrokerHandle;
  supervisor: Supervisor;
  url: string;
  produce(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'console-test-'));
  const env: Record<string, string | undefined> = { APP_NAME: APP, SESSION_TIMEOUT_MS: '6000' };
  const supervisor = new Supervisor({
    rootDir: ROOT,
    apps: APPS,
    scriptFor: () => path.join(here, 'consumer-app.mjs'),
    env,
    stopTimeoutMs: 5000,
    output: () => undefined,
    color: false,
  });
  const broker = await startBroker({
    port: 0,
    httpPort: 0,
    dataDir,
    consoleDir: CONSOLE_DIR,
    groups: { initialRebalanceDelayMs: 300 },
    httpRoutes: createControlApi(supervisor),
    logLevel: 'warn',
  });
  env.KAFKA_BROKERS = broker.bootstrap;

  const kafka = new Kafka({
    clientId: 'console-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 5 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let n = 0;
  return {
    broker,
    supervisor,
    url: `http://127.0.0.1:${broker.httpPort}`,
    async produce(count) {
      const messages = Array.from({ length: count }, () => {
        n++;
        const customer = `customer-${n % 37}`;
        return {
          key: customer,
          value: JSON.stringify({
            orderId: `order-${String(n).padStart(6, '0')}`,
            customer: { id: customer, name: `Customer ${n % 37}` },
            lines: [{ sku: 'MUG', qty: 1 }],
            totalCents: 1200 + n,
            currency: 'EUR',
            promoCode: null,
          }),
          headers: { 'schema-version': '1' },
        };
      });
      await producer.send({ topic: 'orders', messages });
    },
    async close() {
      await producer.disconnect().catch(() => undefined);
      await supervisor.stopAll().catch(() => undefined);
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

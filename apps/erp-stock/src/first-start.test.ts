// docker-compose starts every app at once, so a consumer may reach a fresh broker before the storefront:
// it creates the system's topics with their partition counts, instead of having the broker auto-create
// `orders` with its default single partition when it subscribes.
import { DLQ_PARTITIONS, DLQ_TOPIC, ORDERS_PARTITIONS, ORDERS_TOPIC } from '@orders/contracts';
import { kafkaConfigFromEnv } from '@orders/messaging';
import { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumerFixture, type ConsumerFixture } from '../../../test/helpers/consumer-app.js';
import { ErpStockModule } from './app.module.js';
import { APP } from './store.js';

let fx: ConsumerFixture;

beforeAll(async () => {
  fx = await startConsumerFixture({ name: APP, module: ErpStockModule, createTopics: false });
});
afterAll(async () => {
  await fx?.close();
});

describe('a consumer app that starts first on a fresh broker', () => {
  it(`creates \`${ORDERS_TOPIC}\` with its ${ORDERS_PARTITIONS} partitions and \`${DLQ_TOPIC}\`, and owns them all`, async () => {
    const admin = new Kafka(kafkaConfigFromEnv('test')).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [ORDERS_TOPIC, DLQ_TOPIC] });
      const partitions = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
      expect(partitions).toEqual({ [ORDERS_TOPIC]: ORDERS_PARTITIONS, [DLQ_TOPIC]: DLQ_PARTITIONS });
    } finally {
      await admin.disconnect();
    }
    const health = (await (await fetch(`${fx.app.url}/health`)).json()) as {
      assigned: Record<string, number[]>;
    };
    expect(health.assigned[ORDERS_TOPIC]?.slice().sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

// promo-counter's two twins over one stream: the Kafka consumer group (as it runs in production)
// and the Kinesis-dialect twin (the teaching KCL over the broker's Kinesis API), each with its own
// database, count the same orders the same way.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOrderEvent, ORDERS_TOPIC, TOPICS } from '@orders/contracts';
import { bootstrapConsumerApp, kafkaConfigFromEnv, type RunningConsumer } from '@orders/messaging';
import { Kafka, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../test/helpers/broker.js';
import { until } from '../../../test/helpers/consumer-app.js';
import { PromoCounterModule } from './app.module.js';
import { startKinesisPromoCounter, type KinesisPromoCounter } from './kinesis.js';
import { APP, PromoStore, type PromoCounts } from './store.js';

let broker: TestBroker;
let dir: string;
let kafkaTwin: RunningConsumer;
let kinesisTwin: KinesisPromoCounter;

beforeAll(async () => {
  broker = await startTestBroker({ kinesisPort: 0, groups: { initialRebalanceDelayMs: 0 } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'promo-twins-'));
  Object.assign(process.env, {
    KAFKA_BROKERS: broker.bootstrap,
    DATABASE_URL: `file:${path.join(dir, 'promo-kafka.db')}`,
  });
  const admin = new Kafka(kafkaConfigFromEnv('test')).admin();
  await admin.connect();
  await admin.createTopics({ topics: TOPICS.map((t) => ({ topic: t.name, numPartitions: t.partitions })) });
  await admin.disconnect();
  kafkaTwin = await bootstrapConsumerApp({
    name: APP,
    module: PromoCounterModule,
    port: 0,
    handleSignals: false,
  });
  kinesisTwin = await startKinesisPromoCounter({
    ...process.env,
    DATABASE_URL: `file:${path.join(dir, 'promo-kinesis.db')}`,
    KINESIS_ENDPOINT: broker.kinesisEndpoint!,
    KINESIS_LEASE_MS: '1500',
  });
});
afterAll(async () => {
  await kinesisTwin?.close();
  await kafkaTwin?.close();
  await broker?.destroy();
  await rm(dir, { recursive: true, force: true });
});

it('the Kafka twin and the Kinesis twin count the same orders from one stream', async () => {
  await until(
    'the Kinesis twin holds every shard',
    async () => kinesisTwin.worker.ownedShards().length === 5,
    60_000,
  );
  const producer = new Kafka(kafkaConfigFromEnv('test')).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const codes = ['SPRING', 'WELCOME10', null];
  const orders = Array.from({ length: 30 }, (_, i) =>
    buildOrderEvent(
      {
        customer: {
          email: `c${i % 7}@example.org`,
          name: 'C',
          address: { line1: 'a', city: 'b', postalCode: 'c', country: 'FR' },
        },
        lines: [{ sku: 'MUG-001', qty: 1 }],
        promoCode: codes[i % 3]!,
      },
      { orderId: `twin-${i}`, placedAt: new Date(), currency: 'EUR' },
    ),
  );
  // wait until the Kafka twin's group is consuming (a new group starts at the end of the log)
  await until(
    'the Kafka twin counts a first order',
    async () => {
      await producer.send({
        topic: ORDERS_TOPIC,
        messages: [{ key: orders[0]!.customer.id, value: JSON.stringify(orders[0]) }],
      });
      return (await kafkaTwin.app.get(PromoStore).counts()).total === 1;
    },
    60_000,
  );
  await producer.send({
    topic: ORDERS_TOPIC,
    messages: orders.slice(1).map((o) => ({ key: o.customer.id, value: JSON.stringify(o) })),
  });
  await producer.disconnect();
  const expected: PromoCounts = { codes: { SPRING: 10, WELCOME10: 10 }, withoutCode: 10, total: 30 };
  await until(
    'the Kafka twin counted all',
    async () => (await kafkaTwin.app.get(PromoStore).counts()).total === 30,
    60_000,
  );
  await until(
    'the Kinesis twin counted all',
    async () => (await kinesisTwin.store.counts()).total === 30,
    60_000,
  );
  expect(await kafkaTwin.app.get(PromoStore).counts()).toEqual(expected);
  expect(await kinesisTwin.store.counts()).toEqual(expected);
}, 180_000);

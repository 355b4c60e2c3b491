/**
 * One consumer app under test, in-process, on a real broker: a fresh broker (no initial rebalance
 * delay), the `orders` topics, a temp folder with the app's own SQLite database, a kafkajs producer
 * to put orders on the stream, and the app itself bootstrapped as it runs in production.
 * Apps read their settings from process.env (as they do when run), so the fixture sets it there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Type } from '@nestjs/common';
import { TOPICS } from '@orders/contracts';
import { bootstrapConsumerApp, kafkaConfigFromEnv, type RunningConsumer } from '@orders/messaging';
import { Kafka, Partitioners, type Producer } from 'kafkajs';
import type { BrokerOptions } from '@orders/sps-broker';
import { startTestBroker, type TestBroker } from './broker.js';

export interface ConsumerFixture {
  broker: TestBroker;
  /** Temp folder holding the app's database (and anything `env` puts there). */
  dir: string;
  producer: Producer;
  app: RunningConsumer;
  close(): Promise<void>;
}

export interface ConsumerFixtureOptions {
  name: string;
  module: Type<unknown>;
  /** Extra environment for the app, given the temp folder (e.g. SMTP_URL, CARRIER_URL, LABELS_DIR). */
  env?: (dir: string) => Record<string, string>;
  /** App-specific fields for GET /health. */
  health?: (app: RunningConsumer) => Promise<Record<string, unknown>>;
  /** Broker settings beside the fixture's (e.g. a short retentionCheckIntervalMs for compaction). */
  broker?: BrokerOptions;
  /** Create the system's topics before the app starts (default true); false: the app starts on a bare broker. */
  createTopics?: boolean;
}

export async function startConsumerFixture(options: ConsumerFixtureOptions): Promise<ConsumerFixture> {
  const broker = await startTestBroker({ ...options.broker, groups: { initialRebalanceDelayMs: 0 } });
  const dir = await mkdtemp(path.join(os.tmpdir(), `${options.name}-`));
  Object.assign(process.env, {
    KAFKA_BROKERS: broker.bootstrap,
    DATABASE_URL: `file:${path.join(dir, `${options.name}.db`)}`,
    ...options.env?.(dir),
  });
  const kafka = new Kafka(kafkaConfigFromEnv('test'));
  if (options.createTopics ?? true) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: TOPICS.map((t) => ({ topic: t.name, numPartitions: t.partitions })) });
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const health = options.health;
  const app: RunningConsumer = await bootstrapConsumerApp({
    name: options.name,
    module: options.module,
    port: 0,
    handleSignals: false,
    ...(health ? { health: () => health(app) } : {}),
  });
  return {
    broker,
    dir,
    producer,
    app,
    async close() {
      await producer.disconnect();
      await app.close();
      await broker.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns something truthy; fails naming `what` after `ms`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

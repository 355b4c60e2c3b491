/**
 * promo-counter in the Kinesis dialect: the same rule (count each order once under its promo
 * code, in its own database), fed by the teaching KCL (libs/kinesis-consumer) reading the `orders`
 * stream through the broker's Kinesis API instead of a Kafka consumer group. Run beside the Kafka
 * twin, with its own database, it counts the same orders: one stream, two dialects.
 * Settings: KINESIS_ENDPOINT (default http://127.0.0.1:4567), KINESIS_STREAM (orders),
 * KINESIS_APPLICATION (the lease table: promo-counter-kinesis), KINESIS_WORKER_ID, DATABASE_URL.
 * An order that fails validation is skipped with a warning (the Kafka twin dead-letters it).
 */
import { randomBytes } from 'node:crypto';
import { ORDERS_TOPIC, parseOrderEvent } from '@orders/contracts';
import { KinesisWorker } from '@orders/kinesis-consumer';
import { APP, openPromoDb, PromoStore } from './store.js';

export interface KinesisPromoCounter {
  store: PromoStore;
  worker: KinesisWorker;
  close(): Promise<void>;
}

export async function startKinesisPromoCounter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<KinesisPromoCounter> {
  const store = new PromoStore(await openPromoDb(env));
  const worker = new KinesisWorker({
    endpoint: env.KINESIS_ENDPOINT ?? 'http://127.0.0.1:4567',
    stream: env.KINESIS_STREAM ?? ORDERS_TOPIC,
    application: env.KINESIS_APPLICATION ?? `${APP}-kinesis`,
    workerId: env.KINESIS_WORKER_ID ?? `${APP}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseDurationMs: env.KINESIS_LEASE_MS ? Number(env.KINESIS_LEASE_MS) : undefined,
    async processRecords(records, shardId) {
      for (const r of records) {
        const order = parseOrderEvent(Buffer.from(r.Data ?? []));
        if (!order.ok) {
          console.warn(
            JSON.stringify({
              app: APP,
              dialect: 'kinesis',
              msg: 'skipped an invalid order',
              shardId,
              sequenceNumber: r.SequenceNumber,
            }),
          );
          continue;
        }
        await store.count(order.value);
      }
    },
  });
  worker.start();
  return {
    store,
    worker,
    async close() {
      await worker.stop();
      await store.onApplicationShutdown();
    },
  };
}

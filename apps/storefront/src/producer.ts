/**
 * The storefront's producer: creates the topics when missing, publishes orders idempotently with acks=all,
 * concurrent orders together in one produce request ({@link OrderBatcher}).
 */
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HEADERS, ORDERS_TOPIC, SCHEMA_VERSION, type OrderEvent } from '@orders/contracts';
import { createMissingTopics, kafkaConfigFromEnv, logLine } from '@orders/messaging';
import { injectTraceHeaders, SpanKind, withSpan } from '@orders/telemetry';
import { Kafka, Partitioners, type PartitionMetadata, type Producer } from 'kafkajs';
import { DEFAULT_BATCHER, OrderBatcher } from './order-batcher.js';

export const APP = 'storefront';

@Injectable()
export class OrdersProducer implements OnModuleInit, OnApplicationShutdown {
  private readonly kafka = new Kafka(kafkaConfigFromEnv(APP));
  private readonly producer: Producer = this.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2, as the Java client: same key → same partition
    idempotent: true, // the broker drops the duplicates our retries would create
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  connected = false;
  private partitions: PartitionMetadata[] = [];
  private readonly batcher = new OrderBatcher(this.producer, () => this.partitions, {
    ...DEFAULT_BATCHER,
    topic: ORDERS_TOPIC,
    ...(process.env.STOREFRONT_LINGER_MS && { lingerMs: Number(process.env.STOREFRONT_LINGER_MS) }),
    ...(process.env.STOREFRONT_MAX_QUEUED && { maxQueued: Number(process.env.STOREFRONT_MAX_QUEUED) }),
    ...(process.env.STOREFRONT_MAX_WAIT_MS && { maxWaitMs: Number(process.env.STOREFRONT_MAX_WAIT_MS) }),
  });

  async onModuleInit() {
    await this.ensureTopics();
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
    await this.producer.connect();
    // Partitions added later (the console can) are picked up within half a minute.
    this.refresh = setInterval(() => void this.refreshPartitions(), 30_000);
    this.refresh.unref();
  }

  private refresh?: NodeJS.Timeout;

  private async refreshPartitions() {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await this.readPartitions(admin);
    } catch (err) {
      logLine(APP, 'warn', 'could not refresh the partitions of orders', { error: (err as Error).message });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Creates `orders` (5 partitions) and `orders.dlq` when they do not exist; leaves existing ones alone. */
  async ensureTopics() {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const created = await createMissingTopics(admin);
      if (created.length) logLine(APP, 'info', 'created topics', { topics: created });
      await this.readPartitions(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The partitions of `orders`, for the partitioner (an order's partition is chosen before it is batched). */
  private async readPartitions(admin: ReturnType<Kafka['admin']>) {
    const existing = await admin.listTopics();
    if (!existing.includes(ORDERS_TOPIC)) return;
    const { topics } = await admin.fetchTopicMetadata({ topics: [ORDERS_TOPIC] });
    this.partitions = topics[0]?.partitions ?? [];
  }

  /** Orders waiting for the broker (GET /health). */
  get queued(): number {
    return this.batcher.pending;
  }

  /** Produce requests so far and the orders they carried (GET /health). */
  get produced(): { requests: number; orders: number } {
    return { ...this.batcher.produced };
  }

  /**
   * Publishes one order (key = customer id) and resolves where it landed; rejects with `Overloaded` at
   * once when too many orders are already waiting for the broker.
   */
  async publish(order: OrderEvent): Promise<{ partition: number; offset: string }> {
    return withSpan(
      `${ORDERS_TOPIC} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': ORDERS_TOPIC,
          'orders.order_id': order.orderId,
        },
      },
      async () => {
        const headers = injectTraceHeaders({ [HEADERS.schemaVersion]: SCHEMA_VERSION });
        return this.batcher.send({ key: order.customer.id, value: JSON.stringify(order), headers });
      },
    );
  }

  async onApplicationShutdown() {
    if (this.refresh) clearInterval(this.refresh);
    await this.producer.disconnect();
  }
}

/** The storefront's producer: creates the topics when missing, publishes orders idempotently with acks=all. */
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HEADERS, ORDERS_TOPIC, SCHEMA_VERSION, TOPICS, type OrderEvent } from '@orders/contracts';
import { kafkaConfigFromEnv, logLine } from '@orders/messaging';
import { injectTraceHeaders, SpanKind, withSpan } from '@orders/telemetry';
import { Kafka, Partitioners, type Producer } from 'kafkajs';

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

  async onModuleInit() {
    await this.ensureTopics();
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
    await this.producer.connect();
  }

  /** Creates `orders` (5 partitions) and `orders.dlq` when they do not exist; leaves existing ones alone. */
  async ensureTopics() {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = TOPICS.filter((t) => !existing.has(t.name));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions })),
        });
        logLine(APP, 'info', 'created topics', { topics: missing.map((t) => t.name) });
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Publishes one order (key = customer id) and resolves where it landed. */
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
        const [meta] = await this.producer.send({
          topic: ORDERS_TOPIC,
          acks: -1,
          messages: [{ key: order.customer.id, value: JSON.stringify(order), headers }],
        });
        return { partition: meta.partition, offset: meta.baseOffset ?? meta.offset ?? '-1' };
      },
    );
  }

  async onApplicationShutdown() {
    await this.producer.disconnect();
  }
}

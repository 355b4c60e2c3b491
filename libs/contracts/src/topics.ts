/** Topic and header names: the stable wire interface between the storefront and every consumer. */

/** The stream every completed order is put on. Key = customer id, value = JSON {@link OrderEvent}. */
export const ORDERS_TOPIC = 'orders';
/** Partitions of {@link ORDERS_TOPIC} (the seed's example): the unit of ordering and of parallelism. */
export const ORDERS_PARTITIONS = 5;
/** Dead-letter topic: messages that failed validation or kept failing, with the reason in headers. */
export const DLQ_TOPIC = 'orders.dlq';
/** Partitions of {@link DLQ_TOPIC}. One is enough: it is read by people, not by a busy consumer. */
export const DLQ_PARTITIONS = 1;

/**
 * The customers table: crm's current state of every customer, on a compacted topic. Key = customer id,
 * value = JSON {@link CustomerState}; a null value (a tombstone) says the customer was forgotten. crm
 * creates it on start with {@link CUSTOMERS_TOPIC_CONFIGS}; replaying it from offset 0 rebuilds the
 * table (the latest record per key wins, a tombstone removes the row).
 */
export const CUSTOMERS_TOPIC = 'customers';
/** One partition: the table's files sit in one folder (docs/workshop/16). */
export const CUSTOMERS_PARTITIONS = 1;
/**
 * Configs {@link CUSTOMERS_TOPIC} is created with, chosen so compaction shows within a workshop, on sps and
 * on Apache Kafka alike (segment.bytes would need 1 MB on Kafka 4, so the roll is by age).
 */
export const CUSTOMERS_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  /** Keep the latest record per key instead of deleting by age. */
  'cleanup.policy': 'compact',
  /** Close the active segment every 10 s (at the next write): only closed segments are compacted. */
  'segment.ms': '10000',
  /** Compact once 10% of the closed bytes are new since the last pass (Kafka's default is 50%). */
  'min.cleanable.dirty.ratio': '0.1',
  /** A tombstone stays one minute, so every reader has time to see the delete (Kafka's default is a day). */
  'delete.retention.ms': '60000',
};

/** The value of a {@link CUSTOMERS_TOPIC} record: the customer as crm knows it (GET /customers/:id). */
export interface CustomerState {
  id: string;
  email: string;
  name: string;
  address: { line1: string; city: string; postalCode: string; country: string };
  /** ISO 8601: placedAt of the customer's first and most recent order. */
  firstSeenAt: string;
  lastOrderAt: string;
  orderCount: number;
  lifetimeValueCents: number;
}

/** Topics the storefront creates on start when missing. */
export const TOPICS: readonly { name: string; partitions: number }[] = [
  { name: ORDERS_TOPIC, partitions: ORDERS_PARTITIONS },
  { name: DLQ_TOPIC, partitions: DLQ_PARTITIONS },
];

/** Version of the order event's JSON shape, sent in the `schema-version` header. */
export const SCHEMA_VERSION = '1';

/** Header names on {@link ORDERS_TOPIC}. */
export const HEADERS = {
  /** W3C trace context of the order's trace (`00-<trace-id>-<span-id>-<flags>`). */
  traceparent: 'traceparent',
  /** {@link SCHEMA_VERSION} of the value. */
  schemaVersion: 'schema-version',
} as const;

/** Header names a dead-lettered message carries on {@link DLQ_TOPIC}, beside its original headers. */
export const DLQ_HEADERS = {
  /** Why it was dead-lettered, e.g. `invalid order: lines[0].qty: Too small …` or the last error. */
  reason: 'dlq-reason',
  /** Where it was read from. */
  sourceTopic: 'dlq-source-topic',
  partition: 'dlq-partition',
  offset: 'dlq-offset',
  /** The consumer group (= app name) that gave up on it. */
  app: 'dlq-app',
  /** How many times the handler was tried (0 when the message was invalid). */
  attempts: 'dlq-attempts',
} as const;

/** Topic and header names: the stable wire interface between the storefront and every consumer. */

/** The stream every completed order is put on. Key = customer id, value = JSON {@link OrderEvent}. */
export const ORDERS_TOPIC = 'orders';
/** Partitions of {@link ORDERS_TOPIC} (the seed's example): the unit of ordering and of parallelism. */
export const ORDERS_PARTITIONS = 5;
/** Dead-letter topic: messages that failed validation or kept failing, with the reason in headers. */
export const DLQ_TOPIC = 'orders.dlq';
/** Partitions of {@link DLQ_TOPIC}. One is enough: it is read by people, not by a busy consumer. */
export const DLQ_PARTITIONS = 1;

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

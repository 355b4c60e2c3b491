/**
 * The order handler every consumer app shares: parse + validate with the contract, run the business
 * function with bounded retries inside a span joined to the order's trace, dead-letter what is invalid or
 * keeps failing — and never throw for a bad message, so the partition keeps moving and the offset commits.
 */
import { describeErrors, DLQ_HEADERS, DLQ_TOPIC, parseOrderEvent, type OrderEvent } from '@orders/contracts';
import { extractTraceContext, SpanKind, withSpan, type MessageHeaders, type Span } from '@orders/telemetry';
import { logLine } from './log.js';

/** Where an order was read from. */
export interface OrderSource {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}

/** The message as the handler needs it (what kafkajs / Nest's KafkaContext give). */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: MessageHeaders;
}

/** What is needed to dead-letter: a connected kafkajs producer (Nest's KafkaContext.getProducer()). */
export interface DeadLetterProducer {
  send(record: {
    topic: string;
    messages: {
      key: Buffer | string | null;
      value: Buffer | string | null;
      headers: Record<string, Buffer | string>;
    }[];
  }): Promise<unknown>;
}

export interface RetryPolicy {
  /** Tries in all (default 3). */
  attempts: number;
  /** Delay before the 2nd try; ×4 for each further one (default 200 ms: 200, 800, …). */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200 };

export interface HandleOptions {
  /** The app = consumer group name, written to `dlq-app`. */
  app: string;
  producer: DeadLetterProducer;
  retry?: Partial<RetryPolicy>;
  /** Called between tries so a long retry does not cost the group membership (KafkaContext.getHeartbeat()). */
  heartbeat?: () => Promise<void>;
}

export type Outcome =
  | { status: 'processed'; orderId: string; attempts: number }
  | { status: 'invalid'; reason: string }
  | { status: 'failed'; orderId: string; attempts: number; reason: string };

const text = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? null : v.toString());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Handles one message of `orders` with `business(order, source)`.
 * Resolves with what happened; rejects only when dead-lettering itself fails (the broker is unreachable),
 * in which case kafkajs redelivers the message later — nothing is lost and nothing is skipped.
 */
export async function handleOrderMessage(
  message: IncomingMessage,
  options: HandleOptions,
  business: (order: OrderEvent, source: OrderSource) => Promise<void>,
): Promise<Outcome> {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const source: OrderSource = {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: text(message.key),
  };
  const where = { topic: source.topic, partition: source.partition, offset: source.offset };
  const parent = extractTraceContext(message.headers);

  return withSpan(
    `${source.topic} process`,
    {
      parent,
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': source.topic,
        'messaging.consumer.group.name': options.app,
        'messaging.destination.partition.id': String(source.partition),
        'messaging.kafka.offset': Number(source.offset),
      },
    },
    async (span: Span) => {
      const parsed = parseOrderEvent(message.value);
      if (!parsed.ok) {
        const reason = `invalid order: ${describeErrors(parsed.errors)}`;
        logLine(options.app, 'warn', 'dead-lettering an invalid message', { ...where, reason });
        await deadLetter(message, options, reason, 0);
        span.setAttribute('orders.outcome', 'invalid');
        return { status: 'invalid', reason };
      }
      const order = parsed.value;
      span.setAttribute('orders.order_id', order.orderId);
      let lastError: unknown;
      for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        try {
          await business(order, source);
          span.setAttribute('orders.outcome', 'processed');
          logLine(options.app, 'debug', 'order processed', { ...where, orderId: order.orderId, attempt });
          return { status: 'processed', orderId: order.orderId, attempts: attempt };
        } catch (err) {
          lastError = err;
          logLine(options.app, 'warn', 'order handler failed', {
            ...where,
            orderId: order.orderId,
            attempt,
            of: retry.attempts,
            error: (err as Error)?.message ?? String(err),
          });
          if (attempt < retry.attempts) {
            await sleep(retry.baseDelayMs * 4 ** (attempt - 1));
            await options.heartbeat?.().catch(() => undefined);
          }
        }
      }
      const reason = `failed after ${retry.attempts} attempts: ${(lastError as Error)?.message ?? String(lastError)}`;
      logLine(options.app, 'error', 'dead-lettering an order that kept failing', {
        ...where,
        orderId: order.orderId,
        reason,
      });
      await deadLetter(message, options, reason, retry.attempts);
      span.setAttribute('orders.outcome', 'dead-lettered');
      return { status: 'failed', orderId: order.orderId, attempts: retry.attempts, reason };
    },
  );
}

/** Publishes the message as it came (key, value, headers) to `orders.dlq`, with the `dlq-*` headers added. */
async function deadLetter(
  message: IncomingMessage,
  options: HandleOptions,
  reason: string,
  attempts: number,
) {
  const headers: Record<string, Buffer | string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first === undefined || first === null) continue;
    headers[k] = typeof first === 'object' && !Buffer.isBuffer(first) ? JSON.stringify(first) : first;
  }
  Object.assign(headers, {
    [DLQ_HEADERS.reason]: reason.slice(0, 2000),
    [DLQ_HEADERS.sourceTopic]: message.topic,
    [DLQ_HEADERS.partition]: String(message.partition),
    [DLQ_HEADERS.offset]: message.offset,
    [DLQ_HEADERS.app]: options.app,
    [DLQ_HEADERS.attempts]: String(attempts),
  });
  await options.producer.send({
    topic: DLQ_TOPIC,
    messages: [{ key: message.key, value: message.value, headers }],
  });
}

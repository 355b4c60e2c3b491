/**
 * The order handler every consumer app shares: parse + validate with the contract, run the business
 * function with bounded retries inside a span joined to the order's trace, dead-letter what is invalid or
 * keeps failing — and never throw for a bad message, so the partition keeps moving and the offset commits.
 */
import { describeErrors, DLQ_HEADERS, DLQ_TOPIC, parseOrderEvent, type OrderEvent } from '@orders/contracts';
import {
  extractTraceContext,
  SpanKind,
  startSpan,
  withSpan,
  type MessageHeaders,
  type Span,
} from '@orders/telemetry';
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

/**
 * A failure that says nothing about the order, only that something it needs is away for now (the carrier
 * is down, the SMTP server refuses connections). The handler retries it WITHOUT LIMIT, waiting
 * `baseDelayMs` ×4 per try up to `maxDelayMs` and heartbeating meanwhile, and never dead-letters it: the
 * app's lag grows while the dependency is away, and it catches up when the dependency is back. Only a
 * rebalance (the partition moves) or the app stopping ends the wait; the order is then left uncommitted
 * and redelivered.
 */
export class TransientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export interface RetryPolicy {
  /** Tries in all for a failure that is not transient (default 3); then the order is dead-lettered. */
  attempts: number;
  /** Delay before the 2nd try; ×4 for each further one (default 200 ms: 200, 800, …). */
  baseDelayMs: number;
  /** Longest wait between two tries of a transient failure (default 5 s). */
  maxDelayMs: number;
  /** Which failures are transient: retried without limit, never dead-lettered (default: a {@link TransientError}). */
  isTransient: (err: unknown) => boolean;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  isTransient: (err) => err instanceof TransientError,
};

export interface HandleOptions {
  /** The app = consumer group name, written to `dlq-app`. */
  app: string;
  producer: DeadLetterProducer;
  retry?: Partial<RetryPolicy>;
  /**
   * Called while waiting between tries so a long retry does not cost the group membership
   * (KafkaContext.getHeartbeat()). When it fails (the group is rebalancing) the wait ends and its error
   * propagates: kafkajs rejoins, and the uncommitted order is redelivered to the partition's owner.
   */
  heartbeat?: () => Promise<void>;
  /** Aborted when the app stops: the wait between tries ends and the order is left uncommitted. */
  signal?: AbortSignal;
}

export type Outcome =
  | { status: 'processed'; orderId: string; attempts: number }
  | { status: 'invalid'; reason: string }
  | { status: 'failed'; orderId: string; attempts: number; reason: string };

const text = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? null : v.toString());
/** Resolves after `ms`, or as soon as `signal` aborts. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Waits `ms`, heartbeating at least every second; throws when the heartbeat fails or the app stops. */
async function waitBetweenTries(ms: number, options: HandleOptions, orderId: string) {
  const until = Date.now() + ms;
  for (;;) {
    if (options.signal?.aborted) {
      throw new Error(`stopping: order ${orderId} is left uncommitted and will be redelivered`);
    }
    const left = until - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(left, 1_000), options.signal);
    if (!options.signal?.aborted) await options.heartbeat?.();
  }
}

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
  const source = sourceOf(message);
  const where = { topic: source.topic, partition: source.partition, offset: source.offset };

  return withSpan(`${source.topic} process`, processSpanOptions(message, options.app), async (span: Span) => {
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
    let failures = 0; // tries that failed for a reason that is not transient
    let waits = 0; // consecutive transient failures
    for (let attempt = 1; ; attempt++) {
      try {
        await business(order, source);
        span.setAttribute('orders.outcome', 'processed');
        logLine(options.app, 'debug', 'order processed', { ...where, orderId: order.orderId, attempt });
        return { status: 'processed', orderId: order.orderId, attempts: attempt };
      } catch (err) {
        lastError = err;
        const transient = retry.isTransient(err);
        if (transient) waits++;
        else {
          failures++;
          waits = 0;
        }
        const delay = transient
          ? Math.min(retry.maxDelayMs, retry.baseDelayMs * 4 ** (waits - 1))
          : retry.baseDelayMs * 4 ** (failures - 1);
        logLine(options.app, 'warn', transient ? 'order waits for a dependency' : 'order handler failed', {
          ...where,
          orderId: order.orderId,
          attempt,
          ...(transient ? { retryInMs: delay } : { of: retry.attempts }),
          error: (err as Error)?.message ?? String(err),
        });
        if (!transient && failures >= retry.attempts) break;
        await waitBetweenTries(delay, options, order.orderId);
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
  });
}

const sourceOf = (message: IncomingMessage): OrderSource => ({
  topic: message.topic,
  partition: message.partition,
  offset: message.offset,
  key: text(message.key),
});

/** The consumer's `<topic> process` span of one message: a child of the order's trace (its `traceparent`). */
const processSpanOptions = (message: IncomingMessage, app: string) => ({
  parent: extractTraceContext(message.headers),
  kind: SpanKind.CONSUMER,
  attributes: {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': message.topic,
    'messaging.consumer.group.name': app,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.kafka.offset': Number(message.offset),
  },
});

/** A valid order of a batch, with where it was read from. */
export interface OrderInBatch {
  order: OrderEvent;
  source: OrderSource;
}

/**
 * Handles a fetched batch of `orders` messages with ONE call of `business(orders)`, which the app makes
 * one database transaction (`oncePerOrders` from @orders/db): that is what lets a consumer keep up with
 * a spike, since a commit per order costs more than the order itself.
 *
 * - Invalid messages are dead-lettered individually (with their reason) and left out of the batch.
 * - When `business` throws for the batch (a poison order, a conflict, a dependency away), nothing of it
 *   was committed; the batch's orders are then handled ONE AT A TIME by {@link handleOrderMessage}, each
 *   calling `business([order])`, so only the order that keeps failing is dead-lettered and a
 *   {@link TransientError} still waits without limit and dead-letters nothing.
 * - Each order keeps its own `<topic> process` span in its own trace.
 *
 * Resolves with one outcome per message, in order; rejects only when dead-lettering fails or the app
 * stops during a wait, and then nothing after the last committed batch is lost: it is redelivered.
 */
export async function handleOrderBatch(
  messages: readonly IncomingMessage[],
  options: HandleOptions,
  business: (orders: OrderInBatch[]) => Promise<void>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(messages.length);
  const valid: { index: number; message: IncomingMessage; item: OrderInBatch; span: Span }[] = [];
  const invalid: { message: IncomingMessage; reason: string }[] = [];
  for (const [index, message] of messages.entries()) {
    const parsed = parseOrderEvent(message.value);
    if (!parsed.ok) {
      const reason = `invalid order: ${describeErrors(parsed.errors)}`;
      logLine(options.app, 'warn', 'dead-lettering an invalid message', {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        reason,
      });
      invalid.push({ message, reason });
      outcomes[index] = { status: 'invalid', reason };
      continue;
    }
    const span = startSpan(`${message.topic} process`, processSpanOptions(message, options.app));
    span.setAttribute('orders.order_id', parsed.value.orderId);
    valid.push({ index, message, item: { order: parsed.value, source: sourceOf(message) }, span });
  }
  if (invalid.length) await deadLetterAll(invalid, options, 0);
  if (valid.length === 0) return outcomes;

  try {
    await business(valid.map((v) => v.item));
    for (const v of valid) {
      v.span.setAttribute('orders.outcome', 'processed');
      v.span.setAttribute('orders.batch_size', valid.length);
      v.span.end();
      outcomes[v.index] = { status: 'processed', orderId: v.item.order.orderId, attempts: 1 };
    }
    logLine(options.app, 'debug', 'batch processed', {
      topic: valid[0]!.message.topic,
      partition: valid[0]!.message.partition,
      from: valid[0]!.message.offset,
      to: valid.at(-1)!.message.offset,
      orders: valid.length,
    });
    return outcomes;
  } catch (err) {
    for (const v of valid) {
      v.span.setAttribute('orders.outcome', 'batch-failed: handled alone');
      v.span.end();
    }
    if (valid.length > 1)
      logLine(options.app, 'warn', 'batch failed; handling its orders one at a time', {
        topic: valid[0]!.message.topic,
        partition: valid[0]!.message.partition,
        from: valid[0]!.message.offset,
        to: valid.at(-1)!.message.offset,
        error: (err as Error)?.message ?? String(err),
      });
  }
  for (const v of valid) {
    outcomes[v.index] = await handleOrderMessage(v.message, options, (order, source) =>
      business([{ order, source }]),
    );
  }
  return outcomes;
}

/** Publishes messages to `orders.dlq` in one request, each as it came with its `dlq-*` headers. */
async function deadLetterAll(
  items: readonly { message: IncomingMessage; reason: string }[],
  options: HandleOptions,
  attempts: number,
) {
  await options.producer.send({
    topic: DLQ_TOPIC,
    messages: items.map(({ message, reason }) => deadLetterRecord(message, options, reason, attempts)),
  });
}

/** Publishes the message as it came (key, value, headers) to `orders.dlq`, with the `dlq-*` headers added. */
async function deadLetter(
  message: IncomingMessage,
  options: HandleOptions,
  reason: string,
  attempts: number,
) {
  await options.producer.send({
    topic: DLQ_TOPIC,
    messages: [deadLetterRecord(message, options, reason, attempts)],
  });
}

function deadLetterRecord(
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
  return { key: message.key, value: message.value, headers };
}

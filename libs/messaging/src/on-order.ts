/**
 * `@OnOrders()` and `@OnOrder()`: mark the method that handles the orders of the `orders` topic — a whole
 * fetched batch at once, or one order at a time.
 */
import { Ctx, EventPattern, Payload, type KafkaContext } from '@nestjs/microservices';
import { ORDERS_TOPIC, type OrderEvent } from '@orders/contracts';
import {
  handleOrderBatch,
  handleOrderMessage,
  type HandleOptions,
  type IncomingMessage,
  type OrderInBatch,
  type OrderSource,
  type RetryPolicy,
} from './handle-order.js';
import { isOrderBatch, stopSignalOf } from './server.js';

export type OrderHandlerMethod = (order: OrderEvent, source: OrderSource) => Promise<void>;
export type OrdersHandlerMethod = (orders: OrderInBatch[]) => Promise<void>;

let appName = process.env.APP_NAME ?? 'unknown-app';

/** Set by {@link bootstrapConsumerApp} (the consumer group name, written to `dlq-app`). */
export function setOrderHandlingApp(app: string): void {
  appName = app;
}

/** The messages Nest's transport hands over: a batch from OrderConsumerServer, or one message. */
function messagesOf(payload: unknown, ctx: KafkaContext): IncomingMessage[] {
  if (isOrderBatch(payload)) return payload.messages;
  const message = ctx.getMessage();
  return [
    {
      topic: ctx.getTopic(),
      partition: ctx.getPartition(),
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: message.headers,
    },
  ];
}

function handleOptions(ctx: KafkaContext, retry?: Partial<RetryPolicy>): HandleOptions {
  return {
    app: appName,
    producer: ctx.getProducer(),
    heartbeat: () => ctx.getHeartbeat()(),
    signal: stopSignalOf(ctx.getConsumer()),
    retry,
  };
}

/** Registers `handler` as the Nest event handler of `orders` under the decorated method's name. */
function register<M>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
  name: string,
  handler: (this: unknown, payload: unknown, ctx: KafkaContext) => Promise<void>,
): TypedPropertyDescriptor<M> {
  Object.defineProperty(handler, 'name', { value: name });
  const wrapped = { ...descriptor, value: handler as unknown as M };
  EventPattern<string>(ORDERS_TOPIC)(target, key, wrapped);
  // Nest passes the wrapper (payload, context) as declared here, whatever the method's own parameters.
  Payload()(target, key, 0);
  Ctx()(target, key, 1);
  return wrapped;
}

/**
 * On a method of a Nest controller, in an app started with `bootstrapConsumerApp`:
 * ```ts
 * @OnOrders()
 * async save(orders: OrderInBatch[]) { await this.store.saveAll(orders); }   // when orders arrive, save them
 * ```
 * The method receives the VALIDATED orders of one fetched batch (up to a few hundred, each with its
 * `source`: partition and offset) and should apply them in ONE database transaction with their ledger
 * rows — `oncePerOrders` from @orders/db — so a crash mid-batch leaves all or nothing of it; the offsets
 * are committed after it returns. Invalid messages are dead-lettered individually without reaching it.
 * When it throws, the lib calls it again one order at a time (`[order]`), with `@OnOrder()`'s retries:
 * the order that keeps failing is dead-lettered alone, a `TransientError` waits without limit.
 */
export function OnOrders(options: { retry?: Partial<RetryPolicy> } = {}) {
  return <M extends OrdersHandlerMethod>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): TypedPropertyDescriptor<M> => {
    const business = descriptor.value;
    if (!business) throw new Error(`@OnOrders() must decorate a method (${String(key)})`);
    return register(target, key, descriptor, business.name, async function (payload, ctx) {
      await handleOrderBatch(messagesOf(payload, ctx), handleOptions(ctx, options.retry), (orders) =>
        business.call(this, orders),
      );
    });
  };
}

/**
 * On a method of a Nest controller, in an app started with `bootstrapConsumerApp`:
 * ```ts
 * @OnOrder()
 * async save(order: OrderEvent, source: OrderSource) { … }   // when an order arrives, save it
 * ```
 * The method receives a VALIDATED order. It is retried (default 3 tries with backoff) when it throws and
 * then the message is dead-lettered to `orders.dlq`; an invalid message is dead-lettered without calling
 * it. Either way the offset is committed afterwards. A `TransientError` (or what `retry.isTransient`
 * accepts) is retried without limit instead and never dead-lettered: the dependency is away, not the
 * order wrong. The method must be idempotent by `order.orderId`
 * (use `oncePerOrder` from @orders/db). It runs in a span whose parent is the message's `traceparent`.
 * One transaction per order is simple but slow under a spike: {@link OnOrders} takes the whole batch.
 */
export function OnOrder(options: { retry?: Partial<RetryPolicy> } = {}) {
  // Generic so a method may also take just `(order)`.
  return <M extends OrderHandlerMethod>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): TypedPropertyDescriptor<M> => {
    const business = descriptor.value;
    if (!business) throw new Error(`@OnOrder() must decorate a method (${String(key)})`);
    return register(target, key, descriptor, business.name, async function (payload, ctx) {
      const handle = handleOptions(ctx, options.retry);
      for (const message of messagesOf(payload, ctx)) {
        await handleOrderMessage(message, handle, (order, source) => business.call(this, order, source));
        await handle.heartbeat?.();
      }
    });
  };
}

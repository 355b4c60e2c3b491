/** `@OnOrder()`: marks the method that handles each order of the `orders` topic. */
import { Ctx, EventPattern, Payload, type KafkaContext } from '@nestjs/microservices';
import { ORDERS_TOPIC, type OrderEvent } from '@orders/contracts';
import { handleOrderMessage, type OrderSource, type RetryPolicy } from './handle-order.js';
import { stopSignalOf } from './server.js';

export type OrderHandlerMethod = (order: OrderEvent, source: OrderSource) => Promise<void>;

let appName = process.env.APP_NAME ?? 'unknown-app';

/** Set by {@link bootstrapConsumerApp} (the consumer group name, written to `dlq-app`). */
export function setOrderHandlingApp(app: string): void {
  appName = app;
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
    const handler = async function (this: unknown, _payload: unknown, ctx: KafkaContext): Promise<void> {
      const message = ctx.getMessage();
      await handleOrderMessage(
        {
          topic: ctx.getTopic(),
          partition: ctx.getPartition(),
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers,
        },
        {
          app: appName,
          producer: ctx.getProducer(),
          heartbeat: () => ctx.getHeartbeat()(),
          signal: stopSignalOf(ctx.getConsumer()),
          retry: options.retry,
        },
        (order, source) => business.call(this, order, source),
      );
    };
    Object.defineProperty(handler, 'name', { value: business.name });
    const wrapped = { ...descriptor, value: handler as unknown as M };
    EventPattern<string>(ORDERS_TOPIC)(target, key, wrapped);
    // Nest passes the wrapper (payload, context) as declared here, whatever the method's own parameters.
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
    return wrapped;
  };
}

export {
  kafkaConfigFromEnv,
  consumerTransportOptions,
  CONSUMER_TIMEOUTS,
  DEFAULT_BROKERS,
  httpGuardOptionsFromEnv,
} from './config.js';
export { JsonLogger, kafkaLogCreator, logLine, type Level } from './log.js';
export {
  handleOrderBatch,
  handleOrderMessage,
  DEFAULT_RETRY,
  TransientError,
  type DeadLetterProducer,
  type HandleOptions,
  type IncomingMessage,
  type OrderInBatch,
  type OrderSource,
  type Outcome,
  type RetryPolicy,
} from './handle-order.js';
export {
  OnOrder,
  OnOrders,
  setOrderHandlingApp,
  type OrderHandlerMethod,
  type OrdersHandlerMethod,
} from './on-order.js';
export {
  MAX_BATCH,
  OrderConsumerServer,
  isOrderBatch,
  stopSignalOf,
  type ConsumerHealth,
  type OrderBatchPayload,
  type PartitionLag,
} from './server.js';
export {
  bootstrapConsumerApp,
  bootstrapHttpApp,
  type AppOptions,
  type ConsumerOptions,
  type RunningApp,
  type RunningConsumer,
} from './bootstrap.js';
export { createMissingTopics } from './topics.js';
export { onParentGone } from './watchdog.js';

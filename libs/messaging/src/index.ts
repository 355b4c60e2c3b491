export {
  kafkaConfigFromEnv,
  consumerTransportOptions,
  CONSUMER_TIMEOUTS,
  DEFAULT_BROKERS,
} from './config.js';
export { JsonLogger, kafkaLogCreator, logLine, type Level } from './log.js';
export {
  handleOrderMessage,
  DEFAULT_RETRY,
  TransientError,
  type DeadLetterProducer,
  type HandleOptions,
  type IncomingMessage,
  type OrderSource,
  type Outcome,
  type RetryPolicy,
} from './handle-order.js';
export { OnOrder, setOrderHandlingApp, type OrderHandlerMethod } from './on-order.js';
export { OrderConsumerServer, stopSignalOf, type ConsumerHealth, type PartitionLag } from './server.js';
export {
  bootstrapConsumerApp,
  bootstrapHttpApp,
  type AppOptions,
  type ConsumerOptions,
  type RunningApp,
  type RunningConsumer,
} from './bootstrap.js';
export { onParentGone } from './watchdog.js';

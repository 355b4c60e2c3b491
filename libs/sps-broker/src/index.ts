export { startBroker, type BrokerHandle, type BrokerOptions } from './broker.js';
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export { DEFAULT_BROKER_LOG, TOPIC_CONFIGS, type BrokerLogDefaults } from './configs.js';
export { advertisedApis } from './handlers/registry.js';
export type { BrokerState } from './state.js';
export { DEFAULT_GROUP_CONFIG, type GroupConfig } from './groups/config.js';
export type { GroupEvent, GroupState } from './groups/group.js';
export type { HttpRoutes } from './http.js';

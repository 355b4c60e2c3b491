export {
  DEFAULT_RETENTION_CHECK_INTERVAL_MS,
  startBroker,
  type BrokerHandle,
  type BrokerOptions,
} from './broker.js';
export { DEFAULT_TOPIC_LIMITS, type TopicLimits } from './topic-limits.js';
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export { DEFAULT_BROKER_LOG, TOPIC_CONFIGS, type BrokerLogDefaults } from './configs.js';
export { advertisedApis } from './handlers/registry.js';
export type { BrokerState } from './state.js';
export { DEFAULT_GROUP_CONFIG, type GroupConfig } from './groups/config.js';
export type { GroupEvent, GroupState } from './groups/group.js';
export type { HttpExtras, HttpRoutes } from './http.js';
export { isLoopback, checkWrite } from './http-auth.js';
export { contentTypeOf, staticFiles } from './static.js';
export {
  LiveFeed,
  Ring,
  type LagPoint,
  type LiveHistory,
  type LiveOptions,
  type LiveSnapshot,
  type ThroughputPoint,
  type TopicLiveView,
} from './live.js';
export type {
  GroupDetailView,
  GroupMemberView,
  GroupPartitionView,
  GroupSummaryView,
} from './http-groups.js';
export type { RecordView, RecordsView } from './http-records.js';
export type { ResetRequest, ResetResult, ResetTarget } from './http-offsets.js';
export { HttpError, readJsonBody } from './http-json.js';
export type { KafkaListenerInfo } from './broker.js';
export { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './limits.js';
export { SASL_MECHANISMS, parseSaslUsers, parseSaslUsersFile, readSaslUsersFile } from './sasl/credentials.js';

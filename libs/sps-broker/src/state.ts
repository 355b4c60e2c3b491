/** Everything a request handler can reach: the broker's identity, topics, producers, notifier. */
import type { BrokerLogDefaults } from './configs.js';
import type { AppendNotifier } from './appends.js';
import type { GroupCoordinator } from './groups/coordinator.js';
import type { TopicLimits } from './topic-limits.js';
import type { Logger } from './logger.js';
import type { ProducerRegistry } from './producers.js';
import type { TopicRegistry } from './topics.js';
import type { TransactionCoordinator } from './transactions/coordinator.js';

export interface BrokerSettings {
  nodeId: number;
  clusterId: string;
  /** Host and port put in Metadata/FindCoordinator; null host = the address the client dialled. */
  advertisedHost: string | null;
  advertisedPort: number;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  log: BrokerLogDefaults;
  limits: TopicLimits;
}

export interface BrokerState {
  settings: BrokerSettings;
  topics: TopicRegistry;
  producers: ProducerRegistry;
  groups: GroupCoordinator;
  transactions: TransactionCoordinator;
  appends: AppendNotifier;
  logger: Logger;
  startedAt: number;
  /** Counters for the admin API and benchmarks. */
  stats: {
    requests: number;
    producedBatches: number;
    producedBytes: number;
    fetchedBytes: number;
    connections: number;
  };
}

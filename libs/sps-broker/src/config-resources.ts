/** Shared by DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: Kafka's config resources. */
import { ErrorCode } from '@orders/kafka-protocol';
import { TOPIC_CONFIGS, validateTopicConfig, validateTopicConfigSet } from './configs.js';
import type { BrokerState } from './state.js';

export const ResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;
/** Kafka's ConfigSource values as DescribeConfigs v1+ reports them. */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: Array<{ name: string; value: string | null; source: number }>;
}

export function describeTopicConfigs(
  state: BrokerState,
  topicName: string,
  includeSynonyms: boolean,
): DescribedConfig[] {
  const topic = state.topics.get(topicName)!;
  return TOPIC_CONFIGS.map((def) => {
    const defaultValue = def.brokerDefault(state.settings.log);
    const overridden = def.name in topic.overrides;
    const value = overridden ? topic.overrides[def.name]! : defaultValue;
    const source = overridden ? ConfigSource.DYNAMIC_TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG;
    const synonyms = includeSynonyms
      ? [
          ...(overridden ? [{ name: def.name, value, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }] : []),
          { name: def.name, value: defaultValue, source: ConfigSource.DEFAULT_CONFIG },
        ]
      : [];
    return {
      name: def.name,
      value,
      readOnly: false,
      isDefault: !overridden,
      configSource: source,
      isSensitive: false,
      synonyms,
    };
  });
}

/** Broker-wide settings come from flags and environment at start-up, so they are read-only here. */
export function describeBrokerConfigs(state: BrokerState): DescribedConfig[] {
  const s = state.settings;
  const entries: Array<[string, string]> = [
    ['node.id', String(s.nodeId)],
    ['auto.create.topics.enable', String(s.autoCreateTopics)],
    ['num.partitions', String(s.defaultPartitions)],
    ['log.retention.ms', String(s.log.retentionMs)],
    ['log.retention.bytes', String(s.log.retentionBytes)],
    ['log.segment.bytes', String(s.log.segmentBytes)],
    ['log.roll.ms', String(s.log.segmentMs)],
    ['message.max.bytes', String(s.log.maxMessageBytes)],
    ['default.replication.factor', '1'],
    ['offsets.topic.replication.factor', '1'],
  ];
  return entries.map(([name, value]) => ({
    name,
    value,
    readOnly: true,
    isDefault: false,
    configSource: ConfigSource.STATIC_BROKER_CONFIG,
    isSensitive: false,
    synonyms: [],
  }));
}

/**
 * Kafka 4.4's group configs (GroupConfig: KIP-848 consumer, KIP-932 share and KIP-1071 streams
 * groups, KIP-1191 dead-letter queue), each with the broker config it defaults to, as Apache Kafka
 * reports them for any group name, existing or not. They govern the new group protocols
 * (ConsumerGroupHeartbeat, ShareGroupHeartbeat, StreamsGroupHeartbeat), which this broker does not
 * serve; its classic groups take their timeouts from JoinGroup. So they are described, at their
 * defaults, and changing them is refused (refuseGroupConfigChange).
 */
export const GROUP_CONFIGS: ReadonlyArray<{ name: string; value: string; brokerConfig: string }> = [
  {
    name: 'consumer.assignment.interval.ms',
    value: '1000',
    brokerConfig: 'group.consumer.assignment.interval.ms',
  },
  {
    name: 'consumer.heartbeat.interval.ms',
    value: '5000',
    brokerConfig: 'group.consumer.heartbeat.interval.ms',
  },
  { name: 'consumer.session.timeout.ms', value: '45000', brokerConfig: 'group.consumer.session.timeout.ms' },
  {
    name: 'errors.deadletterqueue.copy.record.enable',
    value: 'false',
    brokerConfig: 'errors.deadletterqueue.copy.record.enable',
  },
  { name: 'errors.deadletterqueue.topic.name', value: '', brokerConfig: 'errors.deadletterqueue.topic.name' },
  { name: 'share.assignment.interval.ms', value: '1000', brokerConfig: 'group.share.assignment.interval.ms' },
  { name: 'share.auto.offset.reset', value: 'latest', brokerConfig: 'share.auto.offset.reset' },
  { name: 'share.delivery.count.limit', value: '5', brokerConfig: 'group.share.delivery.count.limit' },
  { name: 'share.heartbeat.interval.ms', value: '5000', brokerConfig: 'group.share.heartbeat.interval.ms' },
  { name: 'share.isolation.level', value: 'read_uncommitted', brokerConfig: 'share.isolation.level' },
  {
    name: 'share.partition.max.record.locks',
    value: '2000',
    brokerConfig: 'group.share.partition.max.record.locks',
  },
  {
    name: 'share.record.lock.duration.ms',
    value: '30000',
    brokerConfig: 'group.share.record.lock.duration.ms',
  },
  { name: 'share.renew.acknowledge.enable', value: 'true', brokerConfig: 'share.renew.acknowledge.enable' },
  { name: 'share.session.timeout.ms', value: '45000', brokerConfig: 'group.share.session.timeout.ms' },
  {
    name: 'streams.assignment.interval.ms',
    value: '1000',
    brokerConfig: 'group.streams.assignment.interval.ms',
  },
  { name: 'streams.assignor.name', value: 'sticky', brokerConfig: 'group.streams.assignors' },
  {
    name: 'streams.heartbeat.interval.ms',
    value: '5000',
    brokerConfig: 'group.streams.heartbeat.interval.ms',
  },
  {
    name: 'streams.initial.rebalance.delay.ms',
    value: '3000',
    brokerConfig: 'group.streams.initial.rebalance.delay.ms',
  },
  { name: 'streams.num.standby.replicas', value: '0', brokerConfig: 'group.streams.num.standby.replicas' },
  {
    name: 'streams.rack.aware.assignment.tags',
    value: '',
    brokerConfig: 'group.streams.rack.aware.assignment.tags',
  },
  { name: 'streams.session.timeout.ms', value: '45000', brokerConfig: 'group.streams.session.timeout.ms' },
];

/** A group's configs: every one at its default (there are no group overrides here). */
export function describeGroupConfigs(includeSynonyms: boolean): DescribedConfig[] {
  return GROUP_CONFIGS.map((c) => ({
    name: c.name,
    value: c.value,
    readOnly: false,
    isDefault: true,
    configSource: ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
    synonyms: includeSynonyms
      ? [{ name: c.brokerConfig, value: c.value, source: ConfigSource.DEFAULT_CONFIG }]
      : [],
  }));
}

/**
 * IncrementalAlterConfigs on a group: an unknown name is INVALID_CONFIG, as Apache Kafka answers;
 * a known one is refused at once with INVALID_REQUEST, because nothing here would apply it (see
 * GROUP_CONFIGS). Removing overrides (DELETE only) is accepted: there are none, so every config
 * already is at its default.
 */
export function refuseGroupConfigChange(
  resourceName: string,
  configs: Array<{ name: string; configOperation: number }>,
  deleteOperation: number,
): ResourceResult {
  const result = (errorCode: number, errorMessage: string | null): ResourceResult => ({
    errorCode,
    errorMessage,
    resourceType: ResourceType.GROUP,
    resourceName,
  });
  const unknown = configs.find((c) => !GROUP_CONFIGS.some((g) => g.name === c.name));
  if (unknown) return result(ErrorCode.INVALID_CONFIG, `Unknown group config name: ${unknown.name}`);
  if (configs.every((c) => c.configOperation === deleteOperation)) return result(ErrorCode.NONE, null);
  return result(
    ErrorCode.INVALID_REQUEST,
    `group configs are not changeable on sps: they govern the consumer, share and streams group protocols ` +
      `(KIP-848, KIP-932, KIP-1071), which this broker does not serve; its classic groups take ` +
      `session.timeout.ms and heartbeat timing from each member's JoinGroup`,
  );
}

export interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * Checks that a resource can be altered and that every new override is valid, then applies
 * `next` (the complete new set of overrides) unless validateOnly.
 */
export async function applyTopicOverrides(
  state: BrokerState,
  resourceType: number,
  resourceName: string,
  compute: (current: Record<string, string>) => Record<string, string> | string,
  validateOnly: boolean,
): Promise<ResourceResult> {
  const result = (errorCode: number, errorMessage: string | null): ResourceResult => ({
    errorCode,
    errorMessage,
    resourceType,
    resourceName,
  });
  if (resourceType === ResourceType.BROKER)
    return result(
      ErrorCode.INVALID_REQUEST,
      'sps broker settings are read-only at run time; set them with `sps serve` flags or SPS_* environment variables',
    );
  if (resourceType !== ResourceType.TOPIC)
    return result(ErrorCode.INVALID_REQUEST, `resource type ${resourceType} is not supported; use 2 (topic)`);
  const topic = state.topics.get(resourceName);
  if (!topic) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${resourceName}' does not exist`);
  const next = compute(topic.overrides);
  if (typeof next === 'string') return result(ErrorCode.INVALID_CONFIG, next);
  for (const [name, value] of Object.entries(next)) {
    const problem = validateTopicConfig(name, value);
    if (problem) return result(ErrorCode.INVALID_CONFIG, problem);
  }
  const conflict = validateTopicConfigSet(next);
  if (conflict) return result(ErrorCode.INVALID_CONFIG, conflict);
  if (!validateOnly) {
    try {
      await state.topics.setOverrides(resourceName, next);
    } catch (err) {
      state.logger.error('topic config change not stored', { topic: resourceName, error: String(err) });
      return result(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `could not store the new config of '${resourceName}' (nothing changed): ${String(err)}`,
      );
    }
  }
  return result(ErrorCode.NONE, null);
}

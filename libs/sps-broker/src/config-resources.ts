/** Shared by DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: Kafka's config resources. */
import { ErrorCode } from '@orders/kafka-protocol';
import { TOPIC_CONFIGS, validateTopicConfig, validateTopicConfigSet } from './configs.js';
import type { BrokerState } from './state.js';

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;
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

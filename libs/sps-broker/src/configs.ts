/**
 * Topic-level configs the broker understands, with Kafka's names and meanings, so `kafka-configs`,
 * kafkajs' describeConfigs and Kafka UIs show what they expect. Anything else is refused with
 * INVALID_CONFIG naming the config, rather than silently accepted and ignored.
 */
import type { LogConfig } from '@orders/sps-log';

export interface BrokerLogDefaults {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  maxMessageBytes: number;
}

export const DEFAULT_BROKER_LOG: BrokerLogDefaults = {
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  maxMessageBytes: 1024 * 1024 + 12,
};

interface ConfigDef {
  name: string;
  /** Kafka's config type name (DescribeConfigs v3+ reports it; used here for validation). */
  type: 'long' | 'int' | 'string';
  brokerDefault(d: BrokerLogDefaults): string;
  /** Returns a reason when the value is not acceptable. */
  check(value: string): string | undefined;
  doc: string;
}

const integer = (min: number) => (v: string) =>
  /^-?\d+$/.test(v.trim()) && Number(v) >= min ? undefined : `must be an integer >= ${min}`;

export const TOPIC_CONFIGS: readonly ConfigDef[] = [
  {
    name: 'retention.ms',
    type: 'long',
    brokerDefault: (d) => String(d.retentionMs),
    check: integer(-1),
    doc: 'How long records are kept before whole segments are deleted (the TTL); -1 keeps them forever.',
  },
  {
    name: 'retention.bytes',
    type: 'long',
    brokerDefault: (d) => String(d.retentionBytes),
    check: integer(-1),
    doc: 'Largest size a partition may reach before its oldest segments are deleted; -1 means no limit.',
  },
  {
    name: 'segment.bytes',
    type: 'int',
    brokerDefault: (d) => String(d.segmentBytes),
    check: integer(1024),
    doc: 'Size at which the active segment file is closed and a new one started.',
  },
  {
    name: 'segment.ms',
    type: 'long',
    brokerDefault: (d) => String(d.segmentMs),
    check: integer(1),
    doc: 'Age at which the active segment is rolled, so retention can delete it.',
  },
  {
    name: 'max.message.bytes',
    type: 'int',
    brokerDefault: (d) => String(d.maxMessageBytes),
    check: integer(0),
    doc: 'Largest record batch the broker accepts for this topic.',
  },
  {
    name: 'cleanup.policy',
    type: 'string',
    brokerDefault: () => 'delete',
    check: (v) =>
      v.trim() === 'delete' ? undefined : 'only "delete" is supported (sps does not compact logs)',
    doc: 'What happens to old segments: "delete" (compaction is not supported).',
  },
  {
    name: 'message.timestamp.type',
    type: 'string',
    brokerDefault: () => 'CreateTime',
    check: (v) => (v === 'CreateTime' ? undefined : 'only "CreateTime" is supported'),
    doc: 'Records keep the timestamp their producer gave them.',
  },
  {
    name: 'compression.type',
    type: 'string',
    brokerDefault: () => 'producer',
    check: (v) =>
      v === 'producer' ? undefined : 'only "producer" is supported (batches are stored as sent)',
    doc: 'Batches are stored exactly as the producer compressed them.',
  },
  {
    name: 'min.insync.replicas',
    type: 'int',
    brokerDefault: () => '1',
    check: (v) => (v.trim() === '1' ? undefined : 'must be 1 on a single-node broker'),
    doc: 'A single node is the only replica.',
  },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export function topicConfigDef(name: string): ConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Returns a user-facing reason if a config override is invalid, else undefined. */
export function validateTopicConfig(name: string, value: string | null): string | undefined {
  const def = BY_NAME.get(name);
  if (!def) return `unknown topic config '${name}'; known: ${TOPIC_CONFIGS.map((c) => c.name).join(', ')}`;
  if (value === null) return `config '${name}' needs a value`;
  const reason = def.check(value);
  return reason ? `invalid value '${value}' for ${name}: ${reason}` : undefined;
}

/** The effective log settings of a topic: its overrides over the broker defaults. */
export function effectiveLogConfig(
  overrides: Record<string, string>,
  d: BrokerLogDefaults,
): LogConfig & {
  maxMessageBytes: number;
} {
  const num = (key: string, fallback: number) => (key in overrides ? Number(overrides[key]) : fallback);
  return {
    retentionMs: num('retention.ms', d.retentionMs),
    retentionBytes: num('retention.bytes', d.retentionBytes),
    segmentBytes: num('segment.bytes', d.segmentBytes),
    segmentMs: num('segment.ms', d.segmentMs),
    indexIntervalBytes: 4096,
    maxMessageBytes: num('max.message.bytes', d.maxMessageBytes),
  };
}

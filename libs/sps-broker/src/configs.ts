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
  type: 'long' | 'int' | 'string' | 'double' | 'list';
  brokerDefault(d: BrokerLogDefaults): string;
  /** Returns a reason when the value is not acceptable. */
  check(value: string): string | undefined;
  doc: string;
}

const DAY_MS = 24 * 3600 * 1000;
/** Java's Long.MAX_VALUE, Kafka's default for max.compaction.lag.ms. */
const LONG_MAX = '9223372036854775807';

/** Kafka's cleanup.policy is a list of "delete" and "compact" (either order, no repeats). */
function checkCleanupPolicy(v: string): string | undefined {
  const items = v.split(',').map((s) => s.trim().toLowerCase());
  const ok = items.length > 0 && items.every((i) => i === 'delete' || i === 'compact');
  return ok && new Set(items).size === items.length
    ? undefined
    : 'must be "delete", "compact" or "compact,delete"';
}

/** Which cleanups a cleanup.policy value asks for. */
export function cleanupPolicyOf(value: string | undefined): { compact: boolean; delete: boolean } {
  const items = (value ?? 'delete').split(',').map((s) => s.trim().toLowerCase());
  return { compact: items.includes('compact'), delete: items.includes('delete') };
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
    type: 'list',
    brokerDefault: () => 'delete',
    check: checkCleanupPolicy,
    doc: 'What happens to old segments: "delete" (time/size retention), "compact" (keep the latest record per key), or "compact,delete" (both).',
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    brokerDefault: () => String(DAY_MS),
    check: integer(0),
    doc: 'How long a tombstone (null value) survives in a compacted topic, so consumers can see the delete.',
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    brokerDefault: () => '0.5',
    check: (v) => {
      const n = Number(v.trim());
      return v.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1
        ? undefined
        : 'must be a number between 0 and 1';
    },
    doc: 'The cleaner compacts a partition once this share of its closed bytes has not been compacted yet.',
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    brokerDefault: () => '0',
    check: integer(0),
    doc: 'A record stays uncompacted at least this long after it was written.',
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    brokerDefault: () => LONG_MAX,
    check: integer(1),
    doc: 'A record is compacted at most this long after it was written, whatever the dirty ratio.',
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

/** Checks between configs (Kafka: min.compaction.lag.ms must not exceed max.compaction.lag.ms). */
export function validateTopicConfigSet(overrides: Record<string, string | null>): string | undefined {
  const min = overrides['min.compaction.lag.ms'];
  const max = overrides['max.compaction.lag.ms'];
  if (min != null && max != null && BigInt(min.trim()) > BigInt(max.trim())) {
    return `conflict: min.compaction.lag.ms ${min} is greater than max.compaction.lag.ms ${max}`;
  }
  return undefined;
}

/** The effective log settings of a topic: its overrides over the broker defaults. */
export function effectiveLogConfig(
  overrides: Record<string, string>,
  d: BrokerLogDefaults,
): LogConfig & {
  maxMessageBytes: number;
} {
  const num = (key: string, fallback: number) => (key in overrides ? Number(overrides[key]) : fallback);
  const policy = cleanupPolicyOf(overrides['cleanup.policy']);
  // a compact-only topic is never cut by time or size: only the cleaner removes records from it
  return {
    retentionMs: policy.delete ? num('retention.ms', d.retentionMs) : -1,
    retentionBytes: policy.delete ? num('retention.bytes', d.retentionBytes) : -1,
    compaction: policy.compact
      ? {
          deleteRetentionMs: num('delete.retention.ms', DAY_MS),
          minCleanableDirtyRatio: num('min.cleanable.dirty.ratio', 0.5),
          minCompactionLagMs: num('min.compaction.lag.ms', 0),
          maxCompactionLagMs: num('max.compaction.lag.ms', Number.MAX_SAFE_INTEGER),
        }
      : undefined,
    segmentBytes: num('segment.bytes', d.segmentBytes),
    segmentMs: num('segment.ms', d.segmentMs),
    indexIntervalBytes: 4096,
    maxMessageBytes: num('max.message.bytes', d.maxMessageBytes),
  };
}

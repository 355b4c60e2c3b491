/**
 * What the Kinesis API needs from the broker: its topics (streams) and their partition logs
 * (shards), and the side effects the broker attaches to writes and deletions. The broker implements
 * this port (libs/sps-broker/src/kinesis-store.ts) over the same topic registry and logs the Kafka
 * handlers use; this lib never sees the Kafka handlers, and the dependency points one way
 * (kinesis-api ← sps-broker).
 */
import type { PartitionLog } from '@orders/sps-log';

export interface StreamTopic {
  name: string;
  /** The topic's UUID: an iterator issued for a deleted and re-created stream is refused. */
  id: string;
  createdAt: number;
  overrides: Readonly<Record<string, string>>;
  partitions: PartitionLog[];
  /** The topic's max.message.bytes: the largest batch a shard accepts. */
  maxMessageBytes: number;
}

export interface KinesisLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface StreamStore {
  /** The broker's data directory: the Kinesis-only metadata (tags, consumers) lives beside the topics. */
  readonly dataDir: string;
  readonly logger: KinesisLogger;
  /** The broker's retention.ms for topics without an override (-1: unlimited). */
  defaultRetentionMs(): number;
  list(): StreamTopic[];
  get(name: string): StreamTopic | undefined;
  /** True while a topic of that name is being created (Kafka auto-create racing us). */
  creating(name: string): boolean;
  create(name: string, partitions: number): Promise<StreamTopic>;
  /** Deletes the topic as DeleteTopics does (its committed offsets and producer state go too). */
  delete(name: string): Promise<void>;
  addPartitions(name: string, total: number): Promise<void>;
  setRetentionMs(name: string, ms: number): Promise<void>;
  /** Called after an append: wakes long-polling Kafka fetches and counts the bytes. */
  appended(topic: string, partition: number, bytes: number): void;
  /** Resolves on the next append to one of the partitions, or after timeoutMs. */
  waitForAppend(topic: string, partitions: number[], timeoutMs: number): Promise<void>;
}

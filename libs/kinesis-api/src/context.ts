/** What every action gets: the broker's streams, the Kinesis metadata, the caller's region, the clock. */
import { streamArnOf, streamNameFromArn } from './arn.js';
import { invalidArgument, shardNotFound, streamNotFound } from './errors.js';
import type { IteratorCodec } from './iterators.js';
import type { LeaseTables } from './leases.js';
import type { KinesisMetadata, StreamMeta } from './metadata.js';
import { hashKeyRange } from './hash-keys.js';
import { encodeSequenceNumber, partitionOf, shardIdOf } from './sequence.js';
import type { StreamStore, StreamTopic } from './store.js';
import type { Subscriptions } from './subscriptions.js';

export interface ActionContext {
  store: StreamStore;
  meta: KinesisMetadata;
  iterators: IteratorCodec;
  subscriptions: Subscriptions;
  leases: LeaseTables;
  /** From the SigV4 credential scope of the request (not verified); us-east-1 without one. */
  region: string;
  now(): number;
}

export const HOUR_MS = 60 * 60 * 1000;
/** Kinesis' retention bounds, in hours: 24 hours to 365 days. */
export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;
/** On-demand streams start with 4 shards on AWS; so do they here (and they never grow by themselves). */
export const ON_DEMAND_SHARDS = 4;
/** Kinesis' default account shard quota; here a per-stream bound. */
export const MAX_SHARDS = 500;
/** Topic names Kinesis can address (Kafka allows longer ones and the same characters). */
export const KINESIS_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

export interface ResolvedStream {
  name: string;
  arn: string;
  topic: StreamTopic;
  meta: StreamMeta;
}

/** The stream a request names by StreamName or StreamARN, or ResourceNotFoundException. */
export function resolveStream(
  ctx: ActionContext,
  ref: { StreamName?: string; StreamARN?: string },
): ResolvedStream {
  const fromArn = ref.StreamARN ? streamNameFromArn(ref.StreamARN) : undefined;
  if (ref.StreamARN && !fromArn) throw invalidArgument(`StreamARN ${ref.StreamARN} is not a stream ARN.`);
  if (ref.StreamName && fromArn && ref.StreamName !== fromArn)
    throw invalidArgument(
      `StreamName ${ref.StreamName} and StreamARN ${ref.StreamARN} name different streams.`,
    );
  const name = ref.StreamName ?? fromArn;
  if (!name) throw invalidArgument('Either StreamName or StreamARN should be provided.');
  const topic = ctx.store.get(name);
  if (!topic) throw streamNotFound(name);
  return { name, arn: streamArnOf(ctx.region, name), topic, meta: ctx.meta.of(topic.id) };
}

export function shardIndex(stream: ResolvedStream, shardId: string): number {
  const p = partitionOf(shardId);
  if (p === undefined || p >= stream.topic.partitions.length) throw shardNotFound(stream.name, shardId);
  return p;
}

export function retentionHours(ctx: ActionContext, topic: StreamTopic): number {
  const raw = topic.overrides['retention.ms'];
  const ms = raw !== undefined ? Number(raw) : ctx.store.defaultRetentionMs();
  if (ms < 0) return MAX_RETENTION_HOURS; // unlimited in Kafka: reported as Kinesis' maximum
  return Math.max(1, Math.round(ms / HOUR_MS));
}

export function shardView(partition: number, partitionCount: number) {
  return {
    ShardId: shardIdOf(partition),
    HashKeyRange: hashKeyRange(partition, partitionCount),
    SequenceNumberRange: { StartingSequenceNumber: encodeSequenceNumber(partition, 0) },
  };
}

export function streamModeDetails(meta: StreamMeta) {
  return { StreamMode: meta.mode };
}

export const seconds = (ms: number) => ms / 1000;

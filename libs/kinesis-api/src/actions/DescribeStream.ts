/**
 * DescribeStream: the stream and its shards (one per partition), each with its hash-key range and
 * the sequence number of its offset 0. No shard is ever closed: partitions are never removed.
 */
import { z } from 'zod';
import { resolveStream, retentionHours, seconds, shardView, streamModeDetails } from '../context.js';
import { int, shardId, streamRef } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'DescribeStream',
  input: z.object({
    ...streamRef,
    Limit: int(1, 10000).optional(),
    ExclusiveStartShardId: shardId.optional(),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    const count = stream.topic.partitions.length;
    const first = input.ExclusiveStartShardId !== undefined ? exclusiveStart(input.ExclusiveStartShardId) : 0;
    const limit = input.Limit ?? 100;
    const shards = [];
    for (let p = first; p < count && shards.length < limit; p++) shards.push(shardView(p, count));
    return {
      StreamDescription: {
        StreamName: stream.name,
        StreamARN: stream.arn,
        StreamStatus: 'ACTIVE',
        StreamModeDetails: streamModeDetails(stream.meta),
        Shards: shards,
        HasMoreShards: first + shards.length < count,
        RetentionPeriodHours: retentionHours(ctx, stream.topic),
        StreamCreationTimestamp: seconds(stream.topic.createdAt),
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'NONE',
      },
    };
  },
});

/** The partition after an ExclusiveStartShardId (which need not exist, as on AWS). */
export function exclusiveStart(shardId: string): number {
  const m = /(\d+)$/.exec(shardId);
  return m ? Number(m[1]) + 1 : 0;
}

/**
 * UpdateShardCount, upward only: partitions are added to the topic (the new shards get the next
 * shard ids and the hash-key ranges are re-divided equally). Kinesis scales by splitting shards
 * (children take halves of a parent's range, the parent closes) and scales down by merging; a
 * Kafka partition can never be removed, so a lower count is refused, with the reason.
 */
import { z } from 'zod';
import { MAX_SHARDS, resolveStream } from '../context.js';
import { invalidArgument, limitExceeded } from '../errors.js';
import { int, streamRef } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'UpdateShardCount',
  input: z.object({
    ...streamRef,
    TargetShardCount: int(1, 100000),
    ScalingType: z.enum(['UNIFORM_SCALING'], {
      error: () => 'Member must satisfy enum value set: [UNIFORM_SCALING]',
    }),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    const current = stream.topic.partitions.length;
    const target = input.TargetShardCount;
    if (target < current)
      throw invalidArgument(
        `UpdateShardCount cannot scale stream ${stream.name} down from ${current} to ${target} shards: ` +
          'each shard is a Kafka partition, and Kafka cannot remove partitions (Kinesis would merge shards). ' +
          'Create a new stream with fewer shards and move the consumers to it instead.',
      );
    if (target === current) throw invalidArgument(`Stream ${stream.name} already has ${current} shards.`);
    if (target > MAX_SHARDS)
      throw limitExceeded(
        `This request would exceed the shard limit for the stream: ${MAX_SHARDS} shards at most.`,
      );
    await ctx.store.addPartitions(stream.name, target);
    return {
      StreamName: stream.name,
      StreamARN: stream.arn,
      CurrentShardCount: current,
      TargetShardCount: target,
    };
  },
});

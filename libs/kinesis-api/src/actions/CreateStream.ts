/**
 * CreateStream: a new topic with ShardCount partitions (or, with StreamModeDetails ON_DEMAND, 4 —
 * on-demand streams start with 4 shards on AWS; they do not scale by themselves here). The stream is
 * ACTIVE at once (Kinesis says CREATING for a few seconds; the SDK's waiters accept either).
 */
import { z } from 'zod';
import { invalidArgument, limitExceeded, resourceInUse } from '../errors.js';
import { MAX_SHARDS, ON_DEMAND_SHARDS } from '../context.js';
import { int, str, streamName } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'CreateStream',
  input: z.object({
    StreamName: streamName,
    ShardCount: int(1, 100000).optional(),
    StreamModeDetails: z.object({ StreamMode: z.enum(['PROVISIONED', 'ON_DEMAND']) }).optional(),
    Tags: z.record(str(1, 128), str(0, 256)).optional(),
  }),
  async handle(input, ctx) {
    const mode = input.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
    if (mode === 'PROVISIONED' && input.ShardCount === undefined)
      throw invalidArgument('ShardCount is required for a PROVISIONED stream.');
    if (mode === 'ON_DEMAND' && input.ShardCount !== undefined)
      throw invalidArgument('ShardCount cannot be specified for an ON_DEMAND stream.');
    const shards = input.ShardCount ?? ON_DEMAND_SHARDS;
    if (shards > MAX_SHARDS)
      throw limitExceeded(
        `This request would exceed the shard limit for the stream: ${MAX_SHARDS} shards at most, ${shards} requested.`,
      );
    if (ctx.store.get(input.StreamName) || ctx.store.creating(input.StreamName))
      throw resourceInUse(`Stream ${input.StreamName} under account 000000000000 already exists.`);
    let topic;
    try {
      topic = await ctx.store.create(input.StreamName, shards);
    } catch (err) {
      if (ctx.store.get(input.StreamName))
        throw resourceInUse(`Stream ${input.StreamName} under account 000000000000 already exists.`);
      throw err;
    }
    await ctx.meta.update(topic.id, (m) => {
      m.mode = mode;
      m.tags = { ...(input.Tags ?? {}) };
    });
    return {};
  },
});

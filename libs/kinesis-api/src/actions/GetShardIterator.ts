/**
 * GetShardIterator: an opaque iterator at TRIM_HORIZON (the log start), LATEST (the high
 * watermark), AT_/AFTER_SEQUENCE_NUMBER (the offset the number encodes, or the one after it) or
 * AT_TIMESTAMP (the first record whose timestamp is at or after it). Valid for 5 minutes.
 */
import { z } from 'zod';
import { resolveStream, shardIndex } from '../context.js';
import { sequenceNumber, shardId, streamRef, timestamp } from '../validation.js';
import { defineAction } from './action.js';
import { POSITION_TYPES, startingOffset } from './position.js';

export default defineAction({
  name: 'GetShardIterator',
  input: z.object({
    ...streamRef,
    ShardId: shardId,
    ShardIteratorType: z.enum(POSITION_TYPES, {
      error: (i) =>
        i.input === undefined
          ? 'Member must not be null'
          : `Member must satisfy enum value set: [${POSITION_TYPES.join(', ')}]`,
    }),
    StartingSequenceNumber: sequenceNumber.optional(),
    Timestamp: timestamp.optional(),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    const partition = shardIndex(stream, input.ShardId);
    const log = stream.topic.partitions[partition]!;
    const offset = await startingOffset(
      log,
      { stream: stream.name, partition, shardId: input.ShardId },
      input.ShardIteratorType,
      input.StartingSequenceNumber,
      input.Timestamp,
    );
    return {
      ShardIterator: ctx.iterators.encode({
        stream: stream.name,
        topicId: stream.topic.id,
        partition,
        offset,
        issuedAt: ctx.now(),
      }),
    };
  },
});

/**
 * GetRecords: up to Limit (default and most 10,000) records from where the iterator points, at most
 * 10 MiB, and a fresh NextShardIterator after the last one. Never waits: an empty answer at the end
 * of the shard is normal (poll again, as on AWS). MillisBehindLatest is 0 once caught up, else the
 * age of the newest record returned. An iterator older than 5 minutes: ExpiredIteratorException.
 */
import { z } from 'zod';
import { resolveStream } from '../context.js';
import { invalidArgument, KinesisError } from '../errors.js';
import { readShard } from '../records.js';
import { int, str } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'GetRecords',
  input: z.object({
    ShardIterator: str(1, 512),
    Limit: int(1, 10000).optional(),
    StreamARN: z.string().optional(),
  }),
  async handle(input, ctx) {
    const it = ctx.iterators.decode(input.ShardIterator, ctx.now());
    const stream = resolveStream(ctx, { StreamName: it.stream });
    if (stream.topic.id !== it.topicId)
      throw new KinesisError(
        'ResourceNotFoundException',
        `Stream ${it.stream} under account 000000000000 was deleted after this iterator was issued.`,
      );
    const log = stream.topic.partitions[it.partition];
    if (!log) throw invalidArgument('Invalid ShardIterator: its shard no longer exists.');
    const batch = await readShard(
      log,
      it.partition,
      it.offset,
      input.Limit ?? 10000,
      ctx.store.logger,
      ctx.now(),
    );
    return {
      Records: batch.records,
      NextShardIterator: ctx.iterators.encode({ ...it, offset: batch.nextOffset, issuedAt: ctx.now() }),
      MillisBehindLatest: batch.millisBehindLatest,
    };
  },
});

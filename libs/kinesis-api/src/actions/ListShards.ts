/**
 * ListShards: the stream's shards, paged by MaxResults with an opaque NextToken (valid 5 minutes,
 * and not to be combined with StreamName, as on AWS). ShardFilter: AFTER_SHARD_ID starts after the
 * given shard; the time-based filters (AT/FROM_TRIM_HORIZON, AT_LATEST, AT/FROM_TIMESTAMP) select
 * every shard, because shards here are never closed.
 */
import { z } from 'zod';
import { resolveStream, shardView } from '../context.js';
import { expiredNextToken, invalidArgument } from '../errors.js';
import { int, nextToken, shardId, streamRef, timestamp } from '../validation.js';
import { defineAction } from './action.js';
import { exclusiveStart } from './DescribeStream.js';

const TOKEN_LIFETIME_MS = 5 * 60 * 1000;

export default defineAction({
  name: 'ListShards',
  input: z.object({
    ...streamRef,
    NextToken: nextToken.optional(),
    ExclusiveStartShardId: shardId.optional(),
    MaxResults: int(1, 10000).optional(),
    StreamCreationTimestamp: timestamp.optional(),
    ShardFilter: z
      .object({
        Type: z.enum([
          'AFTER_SHARD_ID',
          'AT_TRIM_HORIZON',
          'FROM_TRIM_HORIZON',
          'AT_LATEST',
          'AT_TIMESTAMP',
          'FROM_TIMESTAMP',
        ]),
        ShardId: shardId.optional(),
        Timestamp: timestamp.optional(),
      })
      .optional(),
  }),
  async handle(input, ctx) {
    let ref: { StreamName?: string; StreamARN?: string } = input;
    let first = 0;
    if (input.NextToken !== undefined) {
      if (input.StreamName || input.StreamARN || input.ExclusiveStartShardId || input.ShardFilter)
        throw invalidArgument(
          'NextToken cannot be used together with StreamName, StreamARN, ExclusiveStartShardId or ShardFilter.',
        );
      let token: { s: string; p: number; t: number };
      try {
        token = JSON.parse(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
      } catch {
        throw invalidArgument(`Invalid NextToken: ${input.NextToken.slice(0, 64)}`);
      }
      if (ctx.now() - token.t > TOKEN_LIFETIME_MS)
        throw expiredNextToken(
          'The NextToken has expired (it is valid for 300 seconds); list the shards again.',
        );
      ref = { StreamName: token.s };
      first = token.p;
    } else if (input.ShardFilter?.Type === 'AFTER_SHARD_ID') {
      if (!input.ShardFilter.ShardId) throw invalidArgument('ShardFilter AFTER_SHARD_ID needs a ShardId.');
      first = exclusiveStart(input.ShardFilter.ShardId);
    } else if (input.ExclusiveStartShardId !== undefined) {
      first = exclusiveStart(input.ExclusiveStartShardId);
    }
    if (
      (input.ShardFilter?.Type === 'AT_TIMESTAMP' || input.ShardFilter?.Type === 'FROM_TIMESTAMP') &&
      input.ShardFilter.Timestamp === undefined
    )
      throw invalidArgument(`ShardFilter ${input.ShardFilter.Type} needs a Timestamp.`);
    const stream = resolveStream(ctx, ref);
    const count = stream.topic.partitions.length;
    const max = input.MaxResults ?? 1000;
    const shards = [];
    for (let p = first; p < count && shards.length < max; p++) shards.push(shardView(p, count));
    const next = first + shards.length;
    return {
      Shards: shards,
      ...(next < count
        ? {
            NextToken: Buffer.from(JSON.stringify({ s: stream.name, p: next, t: ctx.now() })).toString(
              'base64url',
            ),
          }
        : {}),
    };
  },
});

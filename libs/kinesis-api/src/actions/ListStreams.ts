/**
 * ListStreams: every topic whose name Kinesis can address (1–128 of [a-zA-Z0-9_.-]) is a stream —
 * the Kafka apps' `orders` included. Paged by Limit with ExclusiveStartStreamName or NextToken.
 */
import { z } from 'zod';
import { streamArnOf } from '../arn.js';
import { KINESIS_NAME, seconds, streamModeDetails } from '../context.js';
import { int, nextToken, streamName } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'ListStreams',
  input: z.object({
    Limit: int(1, 10000).optional(),
    ExclusiveStartStreamName: streamName.optional(),
    NextToken: nextToken.optional(),
  }),
  async handle(input, ctx) {
    const after = input.NextToken
      ? Buffer.from(input.NextToken, 'base64url').toString('utf8')
      : input.ExclusiveStartStreamName;
    const limit = input.Limit ?? 100;
    const all = ctx.store
      .list()
      .filter((t) => KINESIS_NAME.test(t.name) && (after === undefined || t.name > after));
    const page = all.slice(0, limit);
    const hasMore = all.length > page.length;
    return {
      StreamNames: page.map((t) => t.name),
      HasMoreStreams: hasMore,
      ...(hasMore ? { NextToken: Buffer.from(page[page.length - 1]!.name).toString('base64url') } : {}),
      StreamSummaries: page.map((t) => ({
        StreamName: t.name,
        StreamARN: streamArnOf(ctx.region, t.name),
        StreamStatus: 'ACTIVE',
        StreamModeDetails: streamModeDetails(ctx.meta.of(t.id)),
        StreamCreationTimestamp: seconds(t.createdAt),
      })),
    };
  },
});

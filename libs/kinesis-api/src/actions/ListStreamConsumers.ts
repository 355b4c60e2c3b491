/** ListStreamConsumers: the stream's registered consumers, paged by MaxResults (default 100) and NextToken. */
import { z } from 'zod';
import { resolveStream } from '../context.js';
import { int, nextToken, streamArn, timestamp } from '../validation.js';
import { defineAction } from './action.js';
import { consumerView } from './consumers.js';

export default defineAction({
  name: 'ListStreamConsumers',
  input: z.object({
    StreamARN: streamArn,
    NextToken: nextToken.optional(),
    MaxResults: int(1, 10000).optional(),
    StreamCreationTimestamp: timestamp.optional(),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, { StreamARN: input.StreamARN });
    const start = input.NextToken
      ? Number(Buffer.from(input.NextToken, 'base64url').toString('utf8')) || 0
      : 0;
    const max = input.MaxResults ?? 100;
    const all = stream.meta.consumers;
    const page = all.slice(start, start + max);
    const next = start + page.length;
    return {
      Consumers: page.map((c) => consumerView(ctx, stream, c)),
      ...(next < all.length ? { NextToken: Buffer.from(String(next)).toString('base64url') } : {}),
    };
  },
});

/**
 * RegisterStreamConsumer: an enhanced fan-out consumer for SubscribeToShard (at most 20 per
 * stream). ACTIVE at once (AWS says CREATING for a few seconds first).
 */
import { z } from 'zod';
import { resolveStream } from '../context.js';
import { limitExceeded, resourceInUse } from '../errors.js';
import { consumerName, streamArn } from '../validation.js';
import { defineAction } from './action.js';
import { consumerView, MAX_CONSUMERS } from './consumers.js';

export default defineAction({
  name: 'RegisterStreamConsumer',
  input: z.object({
    StreamARN: streamArn,
    ConsumerName: consumerName,
    Tags: z.record(z.string(), z.string()).optional(),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, { StreamARN: input.StreamARN });
    if (stream.meta.consumers.some((c) => c.name === input.ConsumerName))
      throw resourceInUse(
        `Consumer ${input.ConsumerName} under stream ${stream.name} under account 000000000000 already exists.`,
      );
    if (stream.meta.consumers.length >= MAX_CONSUMERS)
      throw limitExceeded(
        `Stream ${stream.name} already has ${MAX_CONSUMERS} registered consumers, the most Kinesis allows.`,
      );
    const consumer = { name: input.ConsumerName, createdAt: ctx.now() };
    await ctx.meta.update(stream.topic.id, (m) => m.consumers.push(consumer));
    return { Consumer: consumerView(ctx, stream, consumer) };
  },
});

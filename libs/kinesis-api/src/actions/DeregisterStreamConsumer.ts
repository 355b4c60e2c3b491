/** DeregisterStreamConsumer: forgets a registered consumer (by ConsumerARN or StreamARN + ConsumerName). */
import { z } from 'zod';
import { consumerArn, consumerName, streamArn } from '../validation.js';
import { defineAction } from './action.js';
import { findConsumer } from './consumers.js';

export default defineAction({
  name: 'DeregisterStreamConsumer',
  input: z.object({
    StreamARN: streamArn.optional(),
    ConsumerName: consumerName.optional(),
    ConsumerARN: consumerArn.optional(),
  }),
  async handle(input, ctx) {
    const { stream, consumer } = findConsumer(ctx, input);
    await ctx.meta.update(stream.topic.id, (m) => {
      m.consumers = m.consumers.filter(
        (c) => !(c.name === consumer.name && c.createdAt === consumer.createdAt),
      );
    });
    return {};
  },
});

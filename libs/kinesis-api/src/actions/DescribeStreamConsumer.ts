/** DescribeStreamConsumer: one registered consumer, by ConsumerARN or by StreamARN + ConsumerName. */
import { z } from 'zod';
import { consumerArn, consumerName, streamArn } from '../validation.js';
import { defineAction } from './action.js';
import { consumerView, findConsumer } from './consumers.js';

export default defineAction({
  name: 'DescribeStreamConsumer',
  input: z.object({
    StreamARN: streamArn.optional(),
    ConsumerName: consumerName.optional(),
    ConsumerARN: consumerArn.optional(),
  }),
  async handle(input, ctx) {
    const { stream, consumer } = findConsumer(ctx, input);
    return { ConsumerDescription: { ...consumerView(ctx, stream, consumer), StreamARN: stream.arn } };
  },
});

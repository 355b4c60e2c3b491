/**
 * DeleteStream: deletes the topic, as Kafka's DeleteTopics does (its committed offsets go too).
 * EnforceConsumerDeletion: a stream with registered consumers is refused without it, as on AWS.
 */
import { z } from 'zod';
import { resolveStream } from '../context.js';
import { resourceInUse } from '../errors.js';
import { streamRef } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'DeleteStream',
  input: z.object({ ...streamRef, EnforceConsumerDeletion: z.boolean().optional() }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    if (stream.meta.consumers.length > 0 && !input.EnforceConsumerDeletion)
      throw resourceInUse(
        `Stream ${stream.name} has ${stream.meta.consumers.length} registered consumer(s); deregister them or set EnforceConsumerDeletion.`,
      );
    await ctx.store.delete(stream.name);
    await ctx.meta.prune(new Set(ctx.store.list().map((t) => t.id)));
    return {};
  },
});

/** RemoveTagsFromStream: removes the given keys (1 to 50); keys the stream lacks are ignored. */
import { z } from 'zod';
import { resolveStream } from '../context.js';
import { str, streamRef } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'RemoveTagsFromStream',
  input: z.object({
    ...streamRef,
    TagKeys: z
      .array(str(1, 128))
      .min(1, 'Member must have length greater than or equal to 1')
      .max(50, 'Member must have length less than or equal to 50'),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    await ctx.meta.update(stream.topic.id, (m) => {
      for (const k of input.TagKeys) delete m.tags[k];
    });
    return {};
  },
});

/** ListTagsForStream: the stream's tags by key, paged by Limit (default 50) and ExclusiveStartTagKey. */
import { z } from 'zod';
import { resolveStream } from '../context.js';
import { int, str, streamRef } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'ListTagsForStream',
  input: z.object({
    ...streamRef,
    ExclusiveStartTagKey: str(1, 128).optional(),
    Limit: int(1, 50).optional(),
  }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    const keys = Object.keys(stream.meta.tags)
      .sort()
      .filter((k) => input.ExclusiveStartTagKey === undefined || k > input.ExclusiveStartTagKey);
    const page = keys.slice(0, input.Limit ?? 50);
    return {
      Tags: page.map((Key) => ({ Key, Value: stream.meta.tags[Key]! })),
      HasMoreTags: keys.length > page.length,
    };
  },
});

/** AddTagsToStream: up to 10 tags per call, 50 per stream; an existing key gets the new value. */
import { z } from 'zod';
import { resolveStream } from '../context.js';
import { invalidArgument } from '../errors.js';
import { str, streamRef } from '../validation.js';
import { defineAction } from './action.js';

export const MAX_TAGS = 50;

export default defineAction({
  name: 'AddTagsToStream',
  input: z.object({ ...streamRef, Tags: z.record(str(1, 128), str(0, 256)) }),
  async handle(input, ctx) {
    const stream = resolveStream(ctx, input);
    const added = Object.keys(input.Tags).length;
    if (added === 0 || added > 10)
      throw invalidArgument(`AddTagsToStream takes 1 to 10 tags per call; got ${added}.`);
    const merged = { ...stream.meta.tags, ...input.Tags };
    if (Object.keys(merged).length > MAX_TAGS)
      throw invalidArgument(
        `Failed to add tags to stream ${stream.name} under account 000000000000 because a given stream cannot have more than ${MAX_TAGS} tags.`,
      );
    await ctx.meta.update(stream.topic.id, (m) => (m.tags = merged));
    return {};
  },
});

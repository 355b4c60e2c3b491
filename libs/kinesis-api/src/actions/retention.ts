/** Shared by Increase/DecreaseStreamRetentionPeriod: hours in Kinesis' bounds → the topic's retention.ms. */
import { z } from 'zod';
import {
  HOUR_MS,
  MAX_RETENTION_HOURS,
  MIN_RETENTION_HOURS,
  resolveStream,
  retentionHours,
  type ActionContext,
} from '../context.js';
import { invalidArgument } from '../errors.js';
import { int, streamRef } from '../validation.js';

export const retentionInput = z.object({ ...streamRef, RetentionPeriodHours: int(1, 2147483647) });

export async function changeRetention(
  direction: 'increase' | 'decrease',
  input: z.output<typeof retentionInput>,
  ctx: ActionContext,
): Promise<object> {
  const stream = resolveStream(ctx, input);
  const requested = input.RetentionPeriodHours;
  const current = retentionHours(ctx, stream.topic);
  if (requested < MIN_RETENTION_HOURS)
    throw invalidArgument(
      `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${requested} hours) is too short.`,
    );
  if (requested > MAX_RETENTION_HOURS)
    throw invalidArgument(
      `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${requested} hours) is too long.`,
    );
  if (direction === 'increase' && requested < current)
    throw invalidArgument(
      `Requested retention period (${requested} hours) for stream ${stream.name} can not be shorter than existing retention period (${current} hours). Use DecreaseRetentionPeriod API.`,
    );
  if (direction === 'decrease' && requested > current)
    throw invalidArgument(
      `Requested retention period (${requested} hours) for stream ${stream.name} can not be longer than existing retention period (${current} hours). Use IncreaseRetentionPeriod API.`,
    );
  await ctx.store.setRetentionMs(stream.name, requested * HOUR_MS);
  return {};
}

/**
 * SpsPutLease (not an AWS action): a conditional write to a lease table kept in the broker, as the
 * KCL does to DynamoDB: it succeeds only if the stored counter is ExpectedCounter (null: the lease
 * must not exist), else ConditionalCheckFailedException.
 */
import { z } from 'zod';
import { str } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'SpsPutLease',
  input: z.object({
    LeaseTable: str(1, 255, { re: /^[a-zA-Z0-9_.-]+$/, text: '[a-zA-Z0-9_.-]+' }),
    Lease: z.object({
      LeaseKey: str(1, 256),
      Owner: str(1, 256).nullable(),
      Counter: z.number().int().min(0),
      Checkpoint: str(1, 128),
    }),
    ExpectedCounter: z.number().int().min(0).nullable(),
  }),
  async handle(input, ctx) {
    return { Lease: await ctx.leases.put(input.LeaseTable, input.Lease, input.ExpectedCounter) };
  },
});

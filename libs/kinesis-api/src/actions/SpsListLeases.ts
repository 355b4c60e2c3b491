/** SpsListLeases (not an AWS action): the rows of a lease table kept in the broker (see leases.ts). */
import { z } from 'zod';
import { str } from '../validation.js';
import { defineAction } from './action.js';

export default defineAction({
  name: 'SpsListLeases',
  input: z.object({ LeaseTable: str(1, 255, { re: /^[a-zA-Z0-9_.-]+$/, text: '[a-zA-Z0-9_.-]+' }) }),
  async handle(input, ctx) {
    return { Leases: ctx.leases.list(input.LeaseTable) };
  },
});

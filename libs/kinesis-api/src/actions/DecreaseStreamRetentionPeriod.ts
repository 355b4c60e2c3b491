/** DecreaseStreamRetentionPeriod: sets the topic's retention.ms lower (at least 24 hours). */
import { defineAction } from './action.js';
import { changeRetention, retentionInput } from './retention.js';

export default defineAction({
  name: 'DecreaseStreamRetentionPeriod',
  input: retentionInput,
  handle: (input, ctx) => changeRetention('decrease', input, ctx),
});

/** IncreaseStreamRetentionPeriod: sets the topic's retention.ms to RetentionPeriodHours (24 … 8760). */
import { defineAction } from './action.js';
import { changeRetention, retentionInput } from './retention.js';

export default defineAction({
  name: 'IncreaseStreamRetentionPeriod',
  input: retentionInput,
  handle: (input, ctx) => changeRetention('increase', input, ctx),
});

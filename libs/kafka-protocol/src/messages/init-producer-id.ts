/**
 * InitProducerId (key 22), v0–1. Only idempotent / transactional producers send it.
 * v1: same as v0.
 */
import { defineApi, field as f } from '../schema.js';

export const InitProducerId = defineApi({
  name: 'InitProducerId',
  apiKey: 22,
  validVersions: '0-1',
  flexibleVersions: '2+',
  request: [
    f('transactionalId', 'string', '0+', { nullable: '0+', default: null }),
    f('transactionTimeoutMs', 'int32', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('producerId', 'int64', '0+', { default: -1 }),
    f('producerEpoch', 'int16', '0+'),
  ],
});

/**
 * InitProducerId (key 22), v0–4. Only idempotent / transactional producers send it.
 * v1: same as v0. v2: flexible. v3: producerId/producerEpoch in the request (KIP-360: resume after
 * INVALID_PRODUCER_EPOCH). v4: PRODUCER_FENCED may be answered.
 */
import { defineApi, field as f } from '../schema.js';

export const InitProducerId = defineApi({
  name: 'InitProducerId',
  apiKey: 22,
  validVersions: '0-4',
  flexibleVersions: '2+',
  request: [
    f('transactionalId', 'string', '0+', { nullable: '0+', default: null }),
    f('transactionTimeoutMs', 'int32', '0+'),
    f('producerId', 'int64', '3+', { default: -1 }),
    f('producerEpoch', 'int16', '3+', { default: -1 }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('producerId', 'int64', '0+', { default: -1 }),
    f('producerEpoch', 'int16', '0+'),
  ],
});

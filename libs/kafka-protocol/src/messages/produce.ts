/**
 * Produce (key 0), v3–7. Request bodies of v3–v7 are identical (magic-2 record batches only).
 * v3: transactionalId. v5: response logStartOffset. v2+: response logAppendTimeMs.
 * Response throttleTimeMs is at the END. acks=0 means the broker sends no response at all.
 */
import { array, defineApi, field as f } from '../schema.js';

export const Produce = defineApi({
  name: 'Produce',
  apiKey: 0,
  validVersions: '3-7',
  flexibleVersions: '9+',
  request: [
    f('transactionalId', 'string', '3+', { nullable: '3+', default: null }),
    f('acks', 'int16', '0+'),
    f('timeoutMs', 'int32', '0+'),
    f(
      'topicData',
      array([
        f('name', 'string', '0+'),
        f(
          'partitionData',
          array([f('index', 'int32', '0+'), f('records', 'records', '0+', { nullable: '0+' })]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
  response: [
    f(
      'responses',
      array([
        f('name', 'string', '0+'),
        f(
          'partitionResponses',
          array([
            f('index', 'int32', '0+'),
            f('errorCode', 'int16', '0+'),
            f('baseOffset', 'int64', '0+'),
            f('logAppendTimeMs', 'int64', '2+', { default: -1 }),
            f('logStartOffset', 'int64', '5+', { default: -1 }),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
    f('throttleTimeMs', 'int32', '1+', { default: 0 }),
  ],
});

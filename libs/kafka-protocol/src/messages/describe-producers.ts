/**
 * DescribeProducers (key 61), v0. Flexible from v0.
 * Per partition, the producers the partition leader remembers (idempotent and transactional):
 * id, epoch, last sequence, last timestamp, coordinator epoch and the open transaction's start.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DescribeProducers = defineApi({
  name: 'DescribeProducers',
  apiKey: 61,
  validVersions: '0',
  flexibleVersions: '0+',
  request: [
    f('topics', array([f('name', 'string', '0+'), f('partitionIndexes', array('int32'), '0+')]), '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0+'),
            f('errorCode', 'int16', '0+'),
            f('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
            f(
              'activeProducers',
              array([
                f('producerId', 'int64', '0+'),
                f('producerEpoch', 'int32', '0+'),
                f('lastSequence', 'int32', '0+', { default: -1 }),
                f('lastTimestamp', 'int64', '0+', { default: -1 }),
                f('coordinatorEpoch', 'int32', '0+'),
                f('currentTxnStartOffset', 'int64', '0+', { default: -1 }),
              ]),
              '0+',
            ),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
});

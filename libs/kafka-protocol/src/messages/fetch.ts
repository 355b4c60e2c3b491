/**
 * Fetch (key 1), v4–11.
 * v4: isolationLevel; response lastStableOffset, abortedTransactions. v5: logStartOffset (both
 * sides). v6: same. v7: fetch sessions — request sessionId/sessionEpoch/forgottenTopicsData;
 * response errorCode + sessionId BEFORE the topics. v8: same. v9: currentLeaderEpoch. v10: same
 * (zstd). v11: rackId; response preferredReadReplica (send -1).
 */
import { array, defineApi, field as f } from '../schema.js';

export const Fetch = defineApi({
  name: 'Fetch',
  apiKey: 1,
  validVersions: '4-11',
  flexibleVersions: '12+',
  request: [
    f('replicaId', 'int32', '0-14', { default: -1 }),
    f('maxWaitMs', 'int32', '0+'),
    f('minBytes', 'int32', '0+'),
    f('maxBytes', 'int32', '3+', { default: 0x7fffffff }),
    f('isolationLevel', 'int8', '4+', { default: 0 }),
    f('sessionId', 'int32', '7+', { default: 0 }),
    f('sessionEpoch', 'int32', '7+', { default: -1 }),
    f(
      'topics',
      array([
        f('topic', 'string', '0-12'),
        f(
          'partitions',
          array([
            f('partition', 'int32', '0+'),
            f('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
            f('fetchOffset', 'int64', '0+'),
            f('logStartOffset', 'int64', '5+', { default: -1 }),
            f('partitionMaxBytes', 'int32', '0+'),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
    f(
      'forgottenTopicsData',
      array([f('topic', 'string', '7-12'), f('partitions', array('int32'), '7+')]),
      '7+',
    ),
    f('rackId', 'string', '11+', { default: '' }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '7+'),
    f('sessionId', 'int32', '7+', { default: 0 }),
    f(
      'responses',
      array([
        f('topic', 'string', '0-12'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0+'),
            f('errorCode', 'int16', '0+'),
            f('highWatermark', 'int64', '0+'),
            f('lastStableOffset', 'int64', '4+', { default: -1 }),
            f('logStartOffset', 'int64', '5+', { default: -1 }),
            f(
              'abortedTransactions',
              array([f('producerId', 'int64', '4+'), f('firstOffset', 'int64', '4+')]),
              '4+',
              { nullable: '4+' },
            ),
            f('preferredReadReplica', 'int32', '11+', { default: -1 }),
            f('records', 'records', '0+', { nullable: '0+' }),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
});

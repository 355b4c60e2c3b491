/**
 * OffsetFetch (key 9), v1–7. (There is no v0 in our range: kafkajs's minimum is 1.)
 * v2: topics null = all topics; response top-level errorCode AFTER the topics. v3: response
 * throttleTimeMs (first). v4: same. v5: committedLeaderEpoch.
 * v6: flexible. v7: requireStable (UNSTABLE_OFFSET_COMMIT while a transaction holds offsets).
 * An uncommitted partition answers offset -1, metadata '', error 0.
 */
import { array, defineApi, field as f } from '../schema.js';

export const OffsetFetch = defineApi({
  name: 'OffsetFetch',
  apiKey: 9,
  validVersions: '1-7',
  flexibleVersions: '6+',
  request: [
    f('groupId', 'string', '0-7'),
    f('topics', array([f('name', 'string', '0-7'), f('partitionIndexes', array('int32'), '0-7')]), '0-7', {
      nullable: '2-7',
    }),
    f('requireStable', 'bool', '7+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f(
      'topics',
      array([
        f('name', 'string', '0-7'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0-7'),
            f('committedOffset', 'int64', '0-7'),
            f('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
            f('metadata', 'string', '0-7', { nullable: '0-7' }),
            f('errorCode', 'int16', '0-7'),
          ]),
          '0-7',
        ),
      ]),
      '0-7',
    ),
    f('errorCode', 'int16', '2-7', { default: 0 }),
  ],
});

/**
 * OffsetCommit (key 8), v2–7.
 * v2–4: retentionTimeMs (-1 = broker default). v3: response throttleTimeMs. v5: retentionTimeMs
 * dropped. v6: committedLeaderEpoch. v7: groupInstanceId.
 * (The spec names the generation field GenerationIdOrMemberEpoch; for these versions it is the
 * classic group generation id.)
 */
import { array, defineApi, field as f } from '../schema.js';

export const OffsetCommit = defineApi({
  name: 'OffsetCommit',
  apiKey: 8,
  validVersions: '2-7',
  flexibleVersions: '8+',
  request: [
    f('groupId', 'string', '0+'),
    f('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '1+'),
    f('groupInstanceId', 'string', '7+', { nullable: '7+', default: null }),
    f('retentionTimeMs', 'int64', '2-4', { default: -1 }),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0+'),
            f('committedOffset', 'int64', '0+'),
            f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
            f('committedMetadata', 'string', '0+', { nullable: '0+' }),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f('partitions', array([f('partitionIndex', 'int32', '0+'), f('errorCode', 'int16', '0+')]), '0+'),
      ]),
      '0+',
    ),
  ],
});

/**
 * ListOffsets (key 2), v0–10.
 * v0: request maxNumOffsets, response oldStyleOffsets[]. v1: timestamp + offset replace them.
 * v2: isolationLevel, throttleTimeMs. v3: same as v2. v4: currentLeaderEpoch / leaderEpoch.
 * v5: same as v4. v6: flexible. v7: timestamp -3 (max timestamp, KIP-734). v8: -4 (earliest local,
 * KIP-405). v9: -5 (latest tiered, KIP-1005). v10: timeoutMs (remote lookups, KIP-1075).
 * Timestamp -1 = latest (HWM, or LSO under read_committed), -2 = earliest.
 */
import { array, defineApi, field as f } from '../schema.js';

export const ListOffsets = defineApi({
  name: 'ListOffsets',
  apiKey: 2,
  validVersions: '0-10',
  flexibleVersions: '6+',
  request: [
    f('replicaId', 'int32', '0+'),
    f('isolationLevel', 'int8', '2+'),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0+'),
            f('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
            f('timestamp', 'int64', '0+'),
            f('maxNumOffsets', 'int32', '0', { default: 1 }),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
    f('timeoutMs', 'int32', '10+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0+'),
            f('errorCode', 'int16', '0+'),
            f('oldStyleOffsets', array('int64'), '0'),
            f('timestamp', 'int64', '1+', { default: -1 }),
            f('offset', 'int64', '1+', { default: -1 }),
            f('leaderEpoch', 'int32', '4+', { default: -1 }),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
});

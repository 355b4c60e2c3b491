/**
 * DescribeLogDirs (key 35), v0–4.
 * v1: same as v0. v2: flexible. v3: top-level errorCode. v4: totalBytes / usableBytes per log dir.
 * A null topic list means every partition.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DescribeLogDirs = defineApi({
  name: 'DescribeLogDirs',
  apiKey: 35,
  validVersions: '0-4',
  flexibleVersions: '2+',
  request: [
    f('topics', array([f('topic', 'string', '0+'), f('partitions', array('int32'), '0+')]), '0+', {
      nullable: '0+',
    }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '3+'),
    f(
      'results',
      array([
        f('errorCode', 'int16', '0+'),
        f('logDir', 'string', '0+'),
        f(
          'topics',
          array([
            f('name', 'string', '0+'),
            f(
              'partitions',
              array([
                f('partitionIndex', 'int32', '0+'),
                f('partitionSize', 'int64', '0+'),
                f('offsetLag', 'int64', '0+'),
                f('isFutureKey', 'bool', '0+'),
              ]),
              '0+',
            ),
          ]),
          '0+',
        ),
        f('totalBytes', 'int64', '4+', { default: -1 }),
        f('usableBytes', 'int64', '4+', { default: -1 }),
      ]),
      '0+',
    ),
  ],
});

/**
 * DescribeTopicPartitions (key 75), v0. Flexible from v0 (KIP-966).
 * Metadata's topic part with paging: topics (empty = all, in name order), at most
 * response_partition_limit partitions per answer, a nullable cursor (topic name, partition index) to
 * start from, and next_cursor where the next page starts (null when done). Nullable structs are
 * preceded by an int8 marker (-1 null, 1 present).
 */
import { array, defineApi, field as f, struct } from '../schema.js';

const cursor = struct([f('topicName', 'string', '0+'), f('partitionIndex', 'int32', '0+')]);

export const DescribeTopicPartitions = defineApi({
  name: 'DescribeTopicPartitions',
  apiKey: 75,
  validVersions: '0',
  flexibleVersions: '0+',
  request: [
    f('topics', array([f('name', 'string', '0+')]), '0+'),
    f('responsePartitionLimit', 'int32', '0+', { default: 2000 }),
    f('cursor', cursor, '0+', { nullable: '0+', default: null }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'topics',
      array([
        f('errorCode', 'int16', '0+'),
        f('name', 'string', '0+', { nullable: '0+' }),
        f('topicId', 'uuid', '0+'),
        f('isInternal', 'bool', '0+', { default: false }),
        f(
          'partitions',
          array([
            f('errorCode', 'int16', '0+'),
            f('partitionIndex', 'int32', '0+'),
            f('leaderId', 'int32', '0+'),
            f('leaderEpoch', 'int32', '0+', { default: -1 }),
            f('replicaNodes', array('int32'), '0+'),
            f('isrNodes', array('int32'), '0+'),
            f('eligibleLeaderReplicas', array('int32'), '0+', { nullable: '0+', default: null }),
            f('lastKnownElr', array('int32'), '0+', { nullable: '0+', default: null }),
            f('offlineReplicas', array('int32'), '0+'),
          ]),
          '0+',
        ),
        f('topicAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
      ]),
      '0+',
    ),
    f('nextCursor', cursor, '0+', { nullable: '0+', default: null }),
  ],
});

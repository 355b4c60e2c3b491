/**
 * Metadata (key 3), v0–6.
 * v0: topics [] = all topics. v1: topics null = all, [] = none; brokers[].rack, controllerId,
 * topics[].isInternal. v2: clusterId. v3: throttleTimeMs. v4: allowAutoTopicCreation.
 * v5: partitions[].offlineReplicas. v6: same as v5.
 */
import { array, defineApi, field as f } from '../schema.js';

export const Metadata = defineApi({
  name: 'Metadata',
  apiKey: 3,
  validVersions: '0-6',
  flexibleVersions: '9+',
  request: [
    f('topics', array([f('name', 'string', '0+')]), '0+', { nullable: '1+' }),
    f('allowAutoTopicCreation', 'bool', '4+', { default: true }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '3+'),
    f(
      'brokers',
      array([
        f('nodeId', 'int32', '0+'),
        f('host', 'string', '0+'),
        f('port', 'int32', '0+'),
        f('rack', 'string', '1+', { nullable: '1+', default: null }),
      ]),
      '0+',
    ),
    f('clusterId', 'string', '2+', { nullable: '2+', default: null }),
    f('controllerId', 'int32', '1+', { default: -1 }),
    f(
      'topics',
      array([
        f('errorCode', 'int16', '0+'),
        f('name', 'string', '0+'),
        f('isInternal', 'bool', '1+', { default: false }),
        f(
          'partitions',
          array([
            f('errorCode', 'int16', '0+'),
            f('partitionIndex', 'int32', '0+'),
            f('leaderId', 'int32', '0+'),
            f('replicaNodes', array('int32'), '0+'),
            f('isrNodes', array('int32'), '0+'),
            f('offlineReplicas', array('int32'), '5+'),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
});

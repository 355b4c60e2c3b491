/**
 * CreateTopics (key 19), v0–4.
 * v1: validateOnly; response errorMessage. v2: response throttleTimeMs. v3: same. v4: numPartitions
 * / replicationFactor may be -1 ("broker default").
 */
import { array, defineApi, field as f } from '../schema.js';

export const CreateTopics = defineApi({
  name: 'CreateTopics',
  apiKey: 19,
  validVersions: '0-4',
  flexibleVersions: '5+',
  request: [
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f('numPartitions', 'int32', '0+'),
        f('replicationFactor', 'int16', '0+'),
        f(
          'assignments',
          array([f('partitionIndex', 'int32', '0+'), f('brokerIds', array('int32'), '0+')]),
          '0+',
        ),
        f(
          'configs',
          array([f('name', 'string', '0+'), f('value', 'string', '0+', { nullable: '0+' })]),
          '0+',
        ),
      ]),
      '0+',
    ),
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    f('validateOnly', 'bool', '1+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '1+', { nullable: '0+', default: null }),
      ]),
      '0+',
    ),
  ],
});

/**
 * DeleteTopics (key 20), v0–3.
 * v1: response throttleTimeMs. v2, v3: same.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DeleteTopics = defineApi({
  name: 'DeleteTopics',
  apiKey: 20,
  validVersions: '0-3',
  flexibleVersions: '4+',
  request: [f('topicNames', array('string'), '0-5'), f('timeoutMs', 'int32', '0+')],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('responses', array([f('name', 'string', '0+'), f('errorCode', 'int16', '0+')]), '0+'),
  ],
});

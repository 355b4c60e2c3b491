/**
 * OffsetDelete (key 47), v0. Never flexible. Response errorCode comes BEFORE throttleTimeMs.
 */
import { array, defineApi, field as f } from '../schema.js';

export const OffsetDelete = defineApi({
  name: 'OffsetDelete',
  apiKey: 47,
  validVersions: '0',
  flexibleVersions: 'none',
  request: [
    f('groupId', 'string', '0+'),
    f(
      'topics',
      array([f('name', 'string', '0+'), f('partitions', array([f('partitionIndex', 'int32', '0+')]), '0+')]),
      '0+',
    ),
  ],
  response: [
    f('errorCode', 'int16', '0+'),
    f('throttleTimeMs', 'int32', '0+'),
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

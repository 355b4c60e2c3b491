/**
 * DeleteRecords (key 21), v0–2.
 * v1: same as v0. v2: flexible.
 * Moves each partition's log start offset up to `offset` (-1 = the high watermark); the response
 * carries the new low watermark.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DeleteRecords = defineApi({
  name: 'DeleteRecords',
  apiKey: 21,
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f('partitions', array([f('partitionIndex', 'int32', '0+'), f('offset', 'int64', '0+')]), '0+'),
      ]),
      '0+',
    ),
    f('timeoutMs', 'int32', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f(
          'partitions',
          array([
            f('partitionIndex', 'int32', '0+'),
            f('lowWatermark', 'int64', '0+'),
            f('errorCode', 'int16', '0+'),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
});

/**
 * CreatePartitions (key 37), v0–1. `count` is the new TOTAL partition count.
 * v1: same as v0.
 */
import { array, defineApi, field as f } from '../schema.js';

export const CreatePartitions = defineApi({
  name: 'CreatePartitions',
  apiKey: 37,
  validVersions: '0-1',
  flexibleVersions: '2+',
  request: [
    f(
      'topics',
      array([
        f('name', 'string', '0+'),
        f('count', 'int32', '0+'),
        f('assignments', array([f('brokerIds', array('int32'), '0+')]), '0+', { nullable: '0+' }),
      ]),
      '0+',
    ),
    f('timeoutMs', 'int32', '0+'),
    f('validateOnly', 'bool', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'results',
      array([
        f('name', 'string', '0+'),
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
      ]),
      '0+',
    ),
  ],
});

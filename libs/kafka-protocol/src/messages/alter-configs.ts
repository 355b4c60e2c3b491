/**
 * AlterConfigs (key 33), v0–1. Replaces the resource's whole config set.
 * v1: same as v0.
 */
import { array, defineApi, field as f } from '../schema.js';

export const AlterConfigs = defineApi({
  name: 'AlterConfigs',
  apiKey: 33,
  validVersions: '0-1',
  flexibleVersions: '2+',
  request: [
    f(
      'resources',
      array([
        f('resourceType', 'int8', '0+'),
        f('resourceName', 'string', '0+'),
        f(
          'configs',
          array([f('name', 'string', '0+'), f('value', 'string', '0+', { nullable: '0+' })]),
          '0+',
        ),
      ]),
      '0+',
    ),
    f('validateOnly', 'bool', '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'responses',
      array([
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
        f('resourceType', 'int8', '0+'),
        f('resourceName', 'string', '0+'),
      ]),
      '0+',
    ),
  ],
});

/**
 * IncrementalAlterConfigs (key 44), v0. configOperation: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT.
 */
import { array, defineApi, field as f } from '../schema.js';

export const IncrementalAlterConfigs = defineApi({
  name: 'IncrementalAlterConfigs',
  apiKey: 44,
  validVersions: '0',
  flexibleVersions: '1+',
  request: [
    f(
      'resources',
      array([
        f('resourceType', 'int8', '0+'),
        f('resourceName', 'string', '0+'),
        f(
          'configs',
          array([
            f('name', 'string', '0+'),
            f('configOperation', 'int8', '0+'),
            f('value', 'string', '0+', { nullable: '0+' }),
          ]),
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

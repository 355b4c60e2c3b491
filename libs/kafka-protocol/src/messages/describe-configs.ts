/**
 * DescribeConfigs (key 32), v0–2.
 * v0: configs[].isDefault. v1: includeSynonyms; configSource + synonyms replace isDefault.
 * v2: same as v1. resourceType: 2 = topic, 4 = broker.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DescribeConfigs = defineApi({
  name: 'DescribeConfigs',
  apiKey: 32,
  validVersions: '0-2',
  flexibleVersions: '4+',
  request: [
    f(
      'resources',
      array([
        f('resourceType', 'int8', '0+'),
        f('resourceName', 'string', '0+'),
        f('configurationKeys', array('string'), '0+', { nullable: '0+' }),
      ]),
      '0+',
    ),
    f('includeSynonyms', 'bool', '1+', { default: false }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f(
      'results',
      array([
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
        f('resourceType', 'int8', '0+'),
        f('resourceName', 'string', '0+'),
        f(
          'configs',
          array([
            f('name', 'string', '0+'),
            f('value', 'string', '0+', { nullable: '0+' }),
            f('readOnly', 'bool', '0+'),
            f('isDefault', 'bool', '0'),
            f('configSource', 'int8', '1+', { default: -1 }),
            f('isSensitive', 'bool', '0+'),
            f(
              'synonyms',
              array([
                f('name', 'string', '1+'),
                f('value', 'string', '1+', { nullable: '0+' }),
                f('source', 'int8', '1+'),
              ]),
              '1+',
            ),
          ]),
          '0+',
        ),
      ]),
      '0+',
    ),
  ],
});

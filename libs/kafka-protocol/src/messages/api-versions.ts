/**
 * ApiVersions (key 18), v0–3.
 * v1: throttleTimeMs (at the end). v2: same as v1. v3: flexible; request carries client software
 * name/version; response has tagged feature fields. The RESPONSE HEADER IS ALWAYS v0 (see frame.ts).
 */
import { array, defineApi, field as f } from '../schema.js';

export const ApiVersions = defineApi({
  name: 'ApiVersions',
  apiKey: 18,
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: [f('clientSoftwareName', 'string', '3+'), f('clientSoftwareVersion', 'string', '3+')],
  response: [
    f('errorCode', 'int16', '0+'),
    f(
      'apiKeys',
      array([f('apiKey', 'int16', '0+'), f('minVersion', 'int16', '0+'), f('maxVersion', 'int16', '0+')]),
      '0+',
    ),
    f('throttleTimeMs', 'int32', '1+'),
    f(
      'supportedFeatures',
      array([f('name', 'string', '3+'), f('minVersion', 'int16', '3+'), f('maxVersion', 'int16', '3+')]),
      '3+',
      { tag: 0, taggedVersions: '3+' },
    ),
    f('finalizedFeaturesEpoch', 'int64', '3+', { tag: 1, taggedVersions: '3+', default: -1 }),
    f(
      'finalizedFeatures',
      array([
        f('name', 'string', '3+'),
        f('maxVersionLevel', 'int16', '3+'),
        f('minVersionLevel', 'int16', '3+'),
      ]),
      '3+',
      { tag: 2, taggedVersions: '3+' },
    ),
    f('zkMigrationReady', 'bool', '3+', { tag: 3, taggedVersions: '3+', default: false }),
  ],
});

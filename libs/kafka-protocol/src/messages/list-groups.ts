/**
 * ListGroups (key 16), v0–2.
 * v1: response throttleTimeMs. v2: same.
 */
import { array, defineApi, field as f } from '../schema.js';

export const ListGroups = defineApi({
  name: 'ListGroups',
  apiKey: 16,
  validVersions: '0-2',
  flexibleVersions: '3+',
  request: [],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    f('groups', array([f('groupId', 'string', '0+'), f('protocolType', 'string', '0+')]), '0+'),
  ],
});

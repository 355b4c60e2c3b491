/**
 * DeleteGroups (key 42), v0–1. A group with members gets NON_EMPTY_GROUP (68).
 * v1: same as v0.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DeleteGroups = defineApi({
  name: 'DeleteGroups',
  apiKey: 42,
  validVersions: '0-1',
  flexibleVersions: '2+',
  request: [f('groupsNames', array('string'), '0+')],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('results', array([f('groupId', 'string', '0+'), f('errorCode', 'int16', '0+')]), '0+'),
  ],
});

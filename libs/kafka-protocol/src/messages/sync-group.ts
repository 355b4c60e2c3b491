/**
 * SyncGroup (key 14), v0–3. Followers wait for the leader's assignments.
 * v1: response throttleTimeMs. v2: same. v3: groupInstanceId.
 */
import { array, defineApi, field as f } from '../schema.js';

export const SyncGroup = defineApi({
  name: 'SyncGroup',
  apiKey: 14,
  validVersions: '0-3',
  flexibleVersions: '4+',
  request: [
    f('groupId', 'string', '0+'),
    f('generationId', 'int32', '0+'),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    f('assignments', array([f('memberId', 'string', '0+'), f('assignment', 'bytes', '0+')]), '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    f('assignment', 'bytes', '0+'),
  ],
});

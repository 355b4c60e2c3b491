/**
 * Heartbeat (key 12), v0–3.
 * v1: response throttleTimeMs. v2: same. v3: groupInstanceId.
 */
import { defineApi, field as f } from '../schema.js';

export const Heartbeat = defineApi({
  name: 'Heartbeat',
  apiKey: 12,
  validVersions: '0-3',
  flexibleVersions: '4+',
  request: [
    f('groupId', 'string', '0+'),
    f('generationId', 'int32', '0+'),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
  ],
  response: [f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16', '0+')],
});

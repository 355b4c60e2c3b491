/**
 * JoinGroup (key 11), v0–5.
 * v1: rebalanceTimeoutMs (v0: use the session timeout). v2: response throttleTimeMs. v3: same.
 * v4: the broker may answer MEMBER_ID_REQUIRED (79) to an empty memberId. v5: groupInstanceId
 * (request and response members). Only the leader receives members[].
 */
import { array, defineApi, field as f } from '../schema.js';

export const JoinGroup = defineApi({
  name: 'JoinGroup',
  apiKey: 11,
  validVersions: '0-5',
  flexibleVersions: '6+',
  request: [
    f('groupId', 'string', '0+'),
    f('sessionTimeoutMs', 'int32', '0+'),
    f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
    f('protocolType', 'string', '0+'),
    f('protocols', array([f('name', 'string', '0+'), f('metadata', 'bytes', '0+')]), '0+'),
  ],
  response: [
    f('throttleTimeMs', 'int32', '2+'),
    f('errorCode', 'int16', '0+'),
    f('generationId', 'int32', '0+', { default: -1 }),
    f('protocolName', 'string', '0+'),
    f('leader', 'string', '0+'),
    f('memberId', 'string', '0+'),
    f(
      'members',
      array([
        f('memberId', 'string', '0+'),
        f('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
        f('metadata', 'bytes', '0+'),
      ]),
      '0+',
    ),
  ],
});

/**
 * LeaveGroup (key 13), v0–3.
 * v1: response throttleTimeMs. v2: same. v3: batch — request members[] replaces memberId; response
 * has per-member errors.
 */
import { array, defineApi, field as f } from '../schema.js';

export const LeaveGroup = defineApi({
  name: 'LeaveGroup',
  apiKey: 13,
  validVersions: '0-3',
  flexibleVersions: '4+',
  request: [
    f('groupId', 'string', '0+'),
    f('memberId', 'string', '0-2'),
    f(
      'members',
      array([
        f('memberId', 'string', '3+'),
        f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
      ]),
      '3+',
    ),
  ],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    f(
      'members',
      array([
        f('memberId', 'string', '3+'),
        f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
        f('errorCode', 'int16', '3+'),
      ]),
      '3+',
    ),
  ],
});

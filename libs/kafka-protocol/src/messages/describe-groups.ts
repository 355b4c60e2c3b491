/**
 * DescribeGroups (key 15), v0–4. An unknown group is reported as state 'Dead' with error 0.
 * v1: response throttleTimeMs. v2: same. v3: includeAuthorizedOperations / authorizedOperations.
 * v4: members[].groupInstanceId.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DescribeGroups = defineApi({
  name: 'DescribeGroups',
  apiKey: 15,
  validVersions: '0-4',
  flexibleVersions: '5+',
  request: [f('groups', array('string'), '0+'), f('includeAuthorizedOperations', 'bool', '3+')],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f(
      'groups',
      array([
        f('errorCode', 'int16', '0+'),
        f('groupId', 'string', '0+'),
        f('groupState', 'string', '0+'),
        f('protocolType', 'string', '0+'),
        f('protocolData', 'string', '0+'),
        f(
          'members',
          array([
            f('memberId', 'string', '0+'),
            f('groupInstanceId', 'string', '4+', { nullable: '4+', default: null }),
            f('clientId', 'string', '0+'),
            f('clientHost', 'string', '0+'),
            f('memberMetadata', 'bytes', '0+'),
            f('memberAssignment', 'bytes', '0+'),
          ]),
          '0+',
        ),
        f('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
      ]),
      '0+',
    ),
  ],
});

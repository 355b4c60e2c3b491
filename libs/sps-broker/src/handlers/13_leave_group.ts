/**
 * LeaveGroup (key 13), v0–3.
 * v0: group and one member id.
 * v1: throttle_time_ms.
 * v2: same as v1.
 * v3: a list of members (member id and/or group instance id), with an error per member.
 * A member that leaves is removed at once and the rest of the group rebalances without waiting
 * for its session to time out.
 */
import { ApiKey } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface LeaveGroupRequest {
  groupId: string;
  memberId?: string;
  members?: Array<{ memberId: string; groupInstanceId: string | null }>;
}

export default defineHandler<LeaveGroupRequest>({
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  handle(req, { state, version }) {
    const members =
      version >= 3 ? (req.members ?? []) : [{ memberId: req.memberId ?? '', groupInstanceId: null }];
    const result = state.groups.leave(req.groupId, members);
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
  },
});

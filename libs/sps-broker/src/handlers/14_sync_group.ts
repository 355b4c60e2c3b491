/**
 * SyncGroup (key 14), v0–3.
 * v0: group, generation, member; the leader sends every member's assignment.
 * v1: throttle_time_ms.
 * v2: same as v1.
 * v3: group_instance_id.
 * Followers wait until the leader's SyncGroup arrives; then each gets its own assignment (empty
 * bytes when the leader gave it nothing: an idle consumer).
 */
import { ApiKey } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export default defineHandler<SyncGroupRequest>({
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  async handle(req, { state }) {
    const assignments = req.assignments.map((a) => ({
      memberId: a.memberId,
      assignment: Buffer.from(a.assignment),
    }));
    const result = await state.groups.sync(
      req.groupId,
      req.generationId,
      req.memberId,
      assignments,
      req.groupInstanceId ?? null,
    );
    return { throttleTimeMs: 0, ...result };
  },
});

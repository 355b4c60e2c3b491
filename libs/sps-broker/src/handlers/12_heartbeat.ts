/**
 * Heartbeat (key 12), v0–3.
 * v0: group, generation, member.
 * v1: throttle_time_ms.
 * v2: same as v1.
 * v3: group_instance_id.
 * Answers by group state: PreparingRebalance → REBALANCE_IN_PROGRESS (rejoin now), Stable and
 * CompletingRebalance → NONE, unknown member → UNKNOWN_MEMBER_ID, old generation → ILLEGAL_GENERATION.
 * Every heartbeat restarts the member's session timer.
 */
import { ApiKey } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler<{
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}>({
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  handle: (req, { state }) => ({
    throttleTimeMs: 0,
    errorCode: state.groups.heartbeat(
      req.groupId,
      req.generationId,
      req.memberId,
      req.groupInstanceId ?? null,
    ),
  }),
});

/**
 * OffsetFetch (key 9), v1–5.
 * v1: group and topics/partitions; a partition with no commit answers offset -1, metadata "".
 * v2: topics may be null = every partition the group has committed; top-level error_code.
 * v3: throttle_time_ms.
 * v4: same as v3.
 * v5: committed_leader_epoch.
 * Answered in any group state.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface OffsetFetchRequest {
  groupId: string;
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

export default defineHandler<OffsetFetchRequest>({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 5,
  handle(req, { state }) {
    const wanted =
      req.topics ??
      [...state.groups.offsets.byTopic(req.groupId)].map(([name, parts]) => ({
        name,
        partitionIndexes: [...parts.keys()].sort((a, b) => a - b),
      }));
    const topics = wanted.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const c = state.groups.committed(req.groupId, t.name, partitionIndex);
        return {
          partitionIndex,
          committedOffset: c?.offset ?? -1,
          committedLeaderEpoch: c?.leaderEpoch ?? -1,
          metadata: c?.metadata ?? '',
          errorCode: ErrorCode.NONE,
        };
      }),
    }));
    return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
  },
});

/**
 * OffsetFetch (key 9), v1–7.
 * v1: group and topics/partitions; a partition with no commit answers offset -1, metadata "".
 * v2: topics may be null = every partition the group has committed; top-level error_code.
 * v3: throttle_time_ms.
 * v4: same as v3.
 * v5: committed_leader_epoch.
 * v6: flexible.
 * v7: require_stable: a partition with offsets waiting in an open transaction (TxnOffsetCommit not
 *     yet committed) answers UNSTABLE_OFFSET_COMMIT (retriable), as Kafka does; the Java consumer
 *     under read_committed and Kafka Streams exactly_once_v2 ask for it.
 * Answered in any group state.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface OffsetFetchRequest {
  groupId: string;
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
  requireStable?: boolean;
}

export default defineHandler<OffsetFetchRequest>({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 7,
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
        if (req.requireStable && state.transactions.hasPendingOffsets(req.groupId, t.name, partitionIndex))
          return {
            partitionIndex,
            committedOffset: -1,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
          };
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

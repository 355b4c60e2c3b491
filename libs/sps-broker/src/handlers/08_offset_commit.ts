/**
 * OffsetCommit (key 8), v2–7.
 * v2: retention_time_ms (-1 = broker default; we always use the broker's offset retention).
 * v3: throttle_time_ms.
 * v4: same as v3.
 * v5: retention_time_ms removed.
 * v6: committed_leader_epoch per partition (stored and returned by OffsetFetch v5).
 * v7: group_instance_id.
 * Accepted from a member of the current generation while the group is Stable or
 * PreparingRebalance (kafkajs commits before it rejoins), and as a simple commit (generation -1)
 * when the group has no members. The answer comes after the offsets are fsynced.
 */
import { ApiKey } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{
    name: string;
    partitions: Array<{
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }>;
  }>;
}

export default defineHandler<OffsetCommitRequest>({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 7,
  async handle(req, { state }) {
    const errors = await state.groups.commit(
      {
        groupId: req.groupId,
        generationId: req.generationIdOrMemberEpoch,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId,
        offsets: req.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
          })),
        ),
      },
      (topic, partition) => state.topics.partition(topic, partition) !== undefined,
    );
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: errors.get(`${t.name}\u0000${p.partitionIndex}`) ?? 0,
        })),
      })),
    };
  },
});

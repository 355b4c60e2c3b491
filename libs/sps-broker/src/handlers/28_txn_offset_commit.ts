/**
 * TxnOffsetCommit (key 28), v0–3.
 * v0: transactional id, group, producer id/epoch, offsets per partition.
 * v1: same as v0.
 * v2: committed_leader_epoch per partition.
 * v3: flexible; generation_id, member_id, group_instance_id (sendOffsetsToTransaction with the
 *     consumer's group metadata): a member or generation the group does not have is refused.
 *
 * The offsets wait in the transaction: OffsetFetch shows them only after EndTxn commits (and a
 * requireStable OffsetFetch answers UNSTABLE_OFFSET_COMMIT meanwhile); an abort drops them.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationId: number;
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

export default defineHandler<TxnOffsetCommitRequest>({
  apiKey: ApiKey.TxnOffsetCommit,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 3,
  async handle(req, { state }) {
    let errors: Map<string, number>;
    try {
      errors = await state.transactions.txnOffsetCommit({
        transactionalId: req.transactionalId,
        groupId: req.groupId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        generationId: req.generationId ?? -1,
        memberId: req.memberId ?? '',
        offsets: req.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch ?? -1,
            metadata: p.committedMetadata,
          })),
        ),
      });
    } catch (err) {
      state.logger.error('transaction offsets not persisted', { error: String(err) });
      errors = new Map();
      for (const t of req.topics)
        for (const p of t.partitions)
          errors.set(`${t.name}\u0000${p.partitionIndex}`, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: errors.get(`${t.name}\u0000${p.partitionIndex}`) ?? ErrorCode.NONE,
        })),
      })),
    };
  },
});

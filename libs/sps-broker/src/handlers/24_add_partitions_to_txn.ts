/**
 * AddPartitionsToTxn (key 24), v0–3 (the client forms).
 * v0: transactional id, producer id/epoch, topics and partitions; an error per partition.
 * v1: same as v0.
 * v2: PRODUCER_FENCED may be answered (v0–1 get INVALID_PRODUCER_EPOCH, as Kafka maps it).
 * v3: flexible.
 * v4+ (not served) is the broker-to-broker batch form of KIP-890; with transaction.version 0
 * advertised, clients add partitions with this request before producing to them.
 *
 * All or nothing, as Kafka: an unknown partition is UNKNOWN_TOPIC_OR_PARTITION and the others in
 * the request OPERATION_NOT_ATTEMPTED; a producer-level error applies to every partition.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface AddPartitionsToTxnRequest {
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: number;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: Array<{ name: string; partitions: number[] }>;
}

export default defineHandler<AddPartitionsToTxnRequest>({
  apiKey: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 3,
  async handle(req, { state, version }) {
    const partitions = req.v3AndBelowTopics.flatMap((t) =>
      t.partitions.map((partition) => ({ topic: t.name, partition })),
    );
    let result: { errorCode: number; partitionErrors?: Map<string, number> };
    try {
      result = await state.transactions.addPartitions(
        req.v3AndBelowTransactionalId,
        req.v3AndBelowProducerId,
        req.v3AndBelowProducerEpoch,
        partitions,
      );
    } catch (err) {
      state.logger.error('transaction state not persisted', { error: String(err) });
      result = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    }
    let { errorCode } = result;
    if (errorCode === ErrorCode.PRODUCER_FENCED && version < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((partitionIndex) => ({
          partitionIndex,
          partitionErrorCode: result.partitionErrors?.get(`${t.name}\u0000${partitionIndex}`) ?? errorCode,
        })),
      })),
    };
  },
});

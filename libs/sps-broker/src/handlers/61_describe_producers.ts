/**
 * DescribeProducers (key 61), v0 (the only version; flexible). Kafka 4.4 serves v0.
 * v0: per requested partition, the producers its leader remembers: producer id, epoch, last
 * sequence, last timestamp, coordinator epoch and the start offset of the producer's open
 * transaction. Used by `kafka-transactions describe-producers` (Admin.describeProducers).
 * State comes from the idempotent producer registry (producers.ts): what it keeps per partition
 * (the last batches of each producer id, until producer.id.expiration.ms). last_timestamp is when
 * the producer's last batch was appended (Kafka reports that batch's max timestamp, which for
 * CreateTime is the producer's clock). current_txn_start_offset is the first offset of the producer's
 * open transaction on this partition (-1 when none, as for idempotent producers); coordinator_epoch is
 * -1: a single broker's transaction coordinator never moves, so it has no epoch to report. An unknown topic or
 * partition is UNKNOWN_TOPIC_OR_PARTITION for that partition, as on Apache Kafka.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

interface DescribeProducersRequest {
  topics: Array<{ name: string; partitionIndexes: number[] }>;
}

export default defineHandler<DescribeProducersRequest>({
  apiKey: ApiKey.DescribeProducers,
  name: 'DescribeProducers',
  minVersion: 0,
  maxVersion: 0,
  handle(req, { state }) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          if (!state.topics.partition(t.name, partitionIndex))
            return {
              partitionIndex,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: `This server does not host this topic-partition: ${t.name}-${partitionIndex}`,
              activeProducers: [],
            };
          const openTransactions = state.producers.openTransactions(t.name, partitionIndex);
          return {
            partitionIndex,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: state.producers.activeProducers(t.name, partitionIndex).map((p) => ({
              ...p,
              coordinatorEpoch: -1,
              currentTxnStartOffset: openTransactions.get(p.producerId) ?? -1,
            })),
          };
        }),
      })),
    };
  },
});

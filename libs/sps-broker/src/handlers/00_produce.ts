/**
 * Produce (key 0), v3–7.
 * v3: record batch v2 only (exactly one batch per partition), transactional_id.
 * v4: same as v3 (adds KAFKA_STORAGE_ERROR to the possible errors).
 * v5: log_start_offset in the response.
 * v6: same as v5.
 * v7: same as v6 (ZStandard allowed; we store batches verbatim, so any codec is fine).
 *
 * acks=0 gets no response; acks=1 is answered once the batch is written; acks=all once it is fsynced
 * (group commit: concurrent producers share one fsync per partition).
 * Idempotence: a retried batch (same producer id, epoch and sequences as one of that producer's
 * last 5 in the partition) is answered with its original offset, also after a broker restart or
 * crash (producer state is rebuilt from a snapshot plus the log, see producers.ts).
 * Transactions: a transactional batch (attribute bit 4) is accepted only from the current epoch of
 * its transactional id, inside an open transaction that added the partition (AddPartitionsToTxn):
 * an older epoch is INVALID_PRODUCER_EPOCH (the client reports its producer fenced), a partition
 * outside the transaction INVALID_TXN_STATE, as Kafka's partition verification answers.
 */
import { ApiKey, decodeRecordBatches, ErrorCode, validateBatches } from '@orders/kafka-protocol';
import type { BrokerState } from '../state.js';
import { defineHandler } from './handler.js';

interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>;
}

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export default defineHandler<ProduceRequest>({
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 7,
  async handle(req, { state }) {
    const { acks } = req;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const pendingFlushes = new Set<Promise<void>>();
    const responses = req.topicData.map((topicData) => ({
      name: topicData.name,
      partitionResponses: topicData.partitionData.map((p) => {
        if (!validAcks) return failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS);
        const result = appendPartition(state, topicData.name, p.index, p.records, req.transactionalId);
        if (result.errorCode === ErrorCode.NONE && acks === -1) {
          pendingFlushes.add(state.topics.partition(topicData.name, p.index)!.flush());
        }
        return result;
      }),
    }));
    if (acks === 0) return null;
    if (pendingFlushes.size > 0) {
      try {
        await Promise.all(pendingFlushes);
      } catch (err) {
        state.logger.error('fsync failed; answering KAFKA_STORAGE_ERROR', { error: String(err) });
        for (const t of responses)
          for (const p of t.partitionResponses)
            if (p.errorCode === ErrorCode.NONE)
              Object.assign(p, failed(p.index, ErrorCode.KAFKA_STORAGE_ERROR));
      }
    }
    return { responses, throttleTimeMs: 0 };
  },
});

function failed(index: number, errorCode: number): PartitionResult {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}

/** Validates one partition's batch and appends it verbatim. Synchronous, so appends keep request order. */
function appendPartition(
  state: BrokerState,
  topicName: string,
  index: number,
  records: Buffer | null,
  transactionalId: string | null,
): PartitionResult {
  const topic = state.topics.get(topicName);
  const log = topic?.partitions[index];
  if (!topic || !log) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!records || records.length === 0) return failed(index, ErrorCode.INVALID_RECORD);
  if (records.length > topic.maxMessageBytes) return failed(index, ErrorCode.MESSAGE_TOO_LARGE);

  const validation = validateBatches(records);
  if (!validation.ok) {
    state.logger.warn('produce rejected', { topic: topicName, partition: index, reason: validation.message });
    return failed(index, validation.errorCode);
  }
  if (validation.batches.length !== 1) {
    state.logger.warn('produce rejected: v3+ requires exactly one record batch per partition', {
      topic: topicName,
      partition: index,
      batches: validation.batches.length,
    });
    return failed(index, ErrorCode.INVALID_RECORD);
  }
  const batch = validation.batches[0]!;
  // as Kafka: a compacted topic keeps the latest record per key, so a record needs a key
  if (log.config.compaction && decodeRecordBatches(records).some((r) => r.key === null)) {
    state.logger.warn('produce rejected: compacted topic cannot accept a record without key', {
      topic: topicName,
      partition: index,
    });
    return failed(index, ErrorCode.INVALID_RECORD);
  }
  if (batch.isTransactional) {
    const code = state.transactions.verifyProduce(
      transactionalId,
      batch.producerId,
      batch.producerEpoch,
      topicName,
      index,
    );
    if (code !== ErrorCode.NONE) {
      state.logger.warn('transactional produce rejected', {
        topic: topicName,
        partition: index,
        transactionalId,
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        errorCode: code,
      });
      return failed(index, code);
    }
  }
  const idempotent = batch.producerId >= 0;
  if (idempotent) {
    const check = state.producers.check(
      topicName,
      index,
      batch.producerId,
      batch.producerEpoch,
      batch.baseSequence,
      batch.recordCount,
    );
    if (check.kind === 'duplicate') {
      return {
        index,
        errorCode: ErrorCode.NONE,
        baseOffset: check.baseOffset,
        logAppendTimeMs: -1,
        logStartOffset: log.logStartOffset,
      };
    }
    if (check.kind === 'error') {
      state.logger.warn('produce rejected', { topic: topicName, partition: index, reason: check.message });
      return failed(index, check.errorCode);
    }
  }
  let appended;
  try {
    appended = log.append(records);
  } catch (err) {
    state.logger.error('append failed', { topic: topicName, partition: index, error: String(err) });
    return failed(index, ErrorCode.KAFKA_STORAGE_ERROR);
  }
  state.producers.appended(topicName, index, log, batch, appended.baseOffset, appended.position);
  state.stats.producedBatches++;
  state.stats.producedBytes += records.length;
  state.appends.notify(topicName, index);
  return {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: appended.baseOffset,
    logAppendTimeMs: -1,
    logStartOffset: log.logStartOffset,
  };
}

/**
 * Fetch (key 1), v4–11.
 * v4: isolation_level; last_stable_offset and aborted_transactions in the response.
 *     read_uncommitted (0) reads up to the high watermark; read_committed (1) up to the last stable
 *     offset (nothing of an open transaction), with the aborted transactions overlapping the
 *     returned range (producer id + first offset) so the client drops their batches.
 * v5: log_start_offset in request and response.
 * v6: same as v5.
 * v7: fetch sessions (session_id/epoch, forgotten topics). We answer session_id 0 ("no session"),
 *     so clients send full fetches, which is all a single node needs.
 * v8: same as v7.
 * v9: current_leader_epoch per partition (ignored: one node, one epoch).
 * v10: same as v9 (zstd).
 * v11: rack_id; preferred_read_replica in the response, always -1 (kafkajs would fetch from any other value).
 *
 * Records are served as the raw bytes on disk, from the batch that contains fetch_offset onward
 * (clients skip the records before their offset). A fetch with less than min_bytes waits, woken
 * by appends, until min_bytes or max_wait_ms.
 */
import { ApiKey, ErrorCode, readBatchHeader, RECORD_BATCH_OVERHEAD } from '@orders/kafka-protocol';
import { OffsetOutOfRangeError } from '@orders/sps-log';
import { AppendNotifier } from '../appends.js';
import type { BrokerState } from '../state.js';
import { defineHandler } from './handler.js';

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes?: number;
  isolationLevel?: number;
  topics: Array<{
    topic: string;
    partitions: Array<{ partition: number; fetchOffset: number; partitionMaxBytes: number }>;
  }>;
}

interface PartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: Array<{ producerId: number; firstOffset: number }> | null;
  preferredReadReplica: number;
  records: Buffer[];
}

/** No records is an empty byte string, never null: librdkafka rejects a null record set. */
const NO_RECORDS: Buffer[] = [];

export default defineHandler<FetchRequest>({
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  async handle(req, { state }) {
    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    const keys = req.topics.flatMap((t) => t.partitions.map((p) => AppendNotifier.key(t.topic, p.partition)));
    for (;;) {
      const result = await readAll(state, req);
      const remaining = deadline - Date.now();
      // Errors are answered at once (the client must react); otherwise wait for min_bytes.
      if (result.bytes >= req.minBytes || result.hasError || remaining <= 0 || keys.length === 0) {
        state.stats.fetchedBytes += result.bytes;
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses };
      }
      await state.appends.wait(keys, remaining);
    }
  },
});

async function readAll(state: BrokerState, req: FetchRequest) {
  // KIP-74: the response stays within max_bytes, except that the first non-empty partition
  // always returns at least one whole batch so a consumer can never get stuck on a large one.
  let budget = req.maxBytes ?? 0x7fffffff;
  let bytes = 0;
  let hasError = false;
  const responses = [];
  for (const t of req.topics) {
    const partitions: PartitionData[] = [];
    for (const p of t.partitions) {
      const log = state.topics.partition(t.topic, p.partition);
      const data: PartitionData = {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records: NO_RECORDS,
      };
      partitions.push(data);
      if (!log) {
        data.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        hasError = true;
        continue;
      }
      const readCommitted = req.isolationLevel === READ_COMMITTED;
      data.highWatermark = log.highWatermark;
      data.lastStableOffset = state.producers.lastStableOffset(t.topic, p.partition, log.highWatermark);
      data.logStartOffset = log.logStartOffset;
      const limit = Math.min(p.partitionMaxBytes, budget);
      if (limit <= 0 && bytes > 0) continue;
      try {
        const read = await log.read(p.fetchOffset, Math.max(limit, 1));
        data.highWatermark = read.highWatermark;
        data.lastStableOffset = state.producers.lastStableOffset(t.topic, p.partition, read.highWatermark);
        data.logStartOffset = read.logStartOffset;
        let records = read.records;
        let readBytes = read.bytes;
        if (readCommitted) {
          if (data.lastStableOffset < read.highWatermark) {
            records = batchesBelow(records, data.lastStableOffset);
            readBytes = records.reduce((n, b) => n + b.length, 0);
          }
          data.abortedTransactions = state.producers
            .abortedTransactions(t.topic, p.partition, p.fetchOffset, data.lastStableOffset)
            .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
        }
        if (readBytes > 0) {
          data.records = records;
          bytes += readBytes;
          budget -= readBytes;
        }
      } catch (err) {
        if (!(err instanceof OffsetOutOfRangeError)) throw err;
        data.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        hasError = true;
      }
    }
    responses.push({ topic: t.topic, partitions });
  }
  return { responses, bytes, hasError };
}

const READ_COMMITTED = 1;

/** The whole batches that start below `limit` (a read_committed fetch stops at the LSO). */
function batchesBelow(records: Buffer[], limit: number): Buffer[] {
  const buf = records.length === 1 ? records[0]! : Buffer.concat(records);
  let at = 0;
  while (at + RECORD_BATCH_OVERHEAD <= buf.length) {
    const h = readBatchHeader(buf, at);
    if (h.baseOffset >= limit || at + h.totalSize > buf.length) break;
    at += h.totalSize;
  }
  return at === 0 ? NO_RECORDS : [buf.subarray(0, at)];
}

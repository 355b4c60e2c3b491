/**
 * ListOffsets (key 2), v0–10.
 * v0: old_style_offsets (a list, max_num_offsets); librdkafka 1.7 uses it for watermarks.
 * v1: one timestamp/offset pair per partition; lookups by timestamp.
 * v2: isolation_level, throttle_time_ms: read_committed (1) answers the last stable offset for latest.
 * v3: same as v2. v4: current_leader_epoch in, leader_epoch out (always 0 here). v5: same as v4.
 * v6: flexible. v7: -3 MAX_TIMESTAMP (KIP-734). v8: -4 EARLIEST_LOCAL (KIP-405). v9: -5 LATEST_TIERED
 * (KIP-1005). v10: timeout_ms (for remote storage; nothing here is remote).
 *
 * Timestamp -1 = latest (high watermark), -2 = earliest (log start), -3 = the first record with the
 * largest timestamp, -4 = the earliest offset on local disk (= log start: there is no tiered storage),
 * -5 = the latest tiered offset (none: offset -1, as Apache Kafka answers without tiered storage).
 * Any other value finds the first record whose timestamp is at or after it, or -1 when there is none.
 * Apache Kafka answers -3 at any version; librdkafka sends it at v3, so it is not gated on v7 here.
 * A negative timestamp that is none of these is INVALID_REQUEST (no record can match it).
 */
import { ApiKey, ErrorCode, decodeRecordBatches } from '@orders/kafka-protocol';
import type { PartitionLog } from '@orders/sps-log';
import { defineHandler } from './handler.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;
const LEADER_EPOCH = 0;

interface ListOffsetsRequest {
  isolationLevel?: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; timestamp: number; maxNumOffsets?: number }>;
  }>;
}

type Found = { offset: number; timestamp: number } | null;

export default defineHandler<ListOffsetsRequest>({
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 10,
  async handle(req, { state, version }) {
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const answer = (errorCode: number, found: Found) => {
              const offset = found?.offset ?? -1;
              return {
                partitionIndex: p.partitionIndex,
                errorCode,
                oldStyleOffsets: version === 0 && found && (p.maxNumOffsets ?? 1) > 0 ? [offset] : [],
                timestamp: found?.timestamp ?? -1,
                offset,
                leaderEpoch: errorCode === ErrorCode.NONE ? LEADER_EPOCH : -1,
              };
            };
            const log = state.topics.partition(t.name, p.partitionIndex);
            if (!log) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
            switch (p.timestamp) {
              case LATEST:
                return answer(ErrorCode.NONE, {
                  offset:
                    req.isolationLevel === 1
                      ? state.producers.lastStableOffset(t.name, p.partitionIndex, log.highWatermark)
                      : log.highWatermark,
                  timestamp: -1,
                });
              case EARLIEST:
              case EARLIEST_LOCAL:
                return answer(ErrorCode.NONE, { offset: log.logStartOffset, timestamp: -1 });
              case LATEST_TIERED:
                return answer(ErrorCode.NONE, null);
              case MAX_TIMESTAMP:
                return answer(ErrorCode.NONE, await findMaxTimestamp(log));
              default:
                if (p.timestamp < 0) return answer(ErrorCode.INVALID_REQUEST, null);
                return answer(ErrorCode.NONE, await findByTimestamp(log, p.timestamp));
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

/**
 * The log's time index finds the first batch whose max timestamp reaches `ts`; Kafka answers with
 * the first *record* at or after it, so look inside that batch (decompressing it if need be).
 */
async function findByTimestamp(log: PartitionLog, ts: number): Promise<Found> {
  const batch = await log.offsetForTimestamp(ts);
  if (!batch) return null;
  try {
    const read = await log.read(batch.offset, 1);
    for (const record of decodeRecordBatches(Buffer.concat(read.records))) {
      if (record.offset >= batch.offset && record.timestamp >= ts)
        return { offset: record.offset, timestamp: record.timestamp };
    }
  } catch {
    // deleted by retention meanwhile, or a codec we cannot decode: batch granularity
  }
  return batch;
}

/** The first record carrying the largest timestamp in the log (each segment knows its maximum). */
async function findMaxTimestamp(log: PartitionLog): Promise<Found> {
  let max = -1;
  for (const s of log.segments()) {
    if (s.sizeBytes > 0 && s.nextOffset > log.logStartOffset && s.maxTimestamp > max) max = s.maxTimestamp;
  }
  if (max < 0) return null;
  return findByTimestamp(log, max);
}

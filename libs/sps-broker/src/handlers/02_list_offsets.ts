/**
 * ListOffsets (key 2), v0–3.
 * v0: old_style_offsets (a list, max_num_offsets); librdkafka 1.7 uses it for watermarks.
 * v1: one timestamp/offset pair per partition; lookups by timestamp.
 * v2: isolation_level, throttle_time_ms (no transactions here, so read_committed = read_uncommitted).
 * v3: same as v2.
 * Timestamp -1 = latest (high watermark), -2 = earliest (log start); any other value finds the first
 * offset whose timestamp is at or after it, or -1 when there is none.
 */
import { ApiKey, ErrorCode, decodeRecordBatches } from '@orders/kafka-protocol';
import type { PartitionLog } from '@orders/sps-log';
import { defineHandler } from './handler.js';

const LATEST = -1;
const EARLIEST = -2;

interface ListOffsetsRequest {
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; timestamp: number; maxNumOffsets?: number }>;
  }>;
}

export default defineHandler<ListOffsetsRequest>({
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 3,
  async handle(req, { state, version }) {
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const log = state.topics.partition(t.name, p.partitionIndex);
            if (!log) {
              return {
                partitionIndex: p.partitionIndex,
                errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                oldStyleOffsets: [],
                timestamp: -1,
                offset: -1,
              };
            }
            let found: { offset: number; timestamp: number } | null;
            if (p.timestamp === LATEST) found = { offset: log.highWatermark, timestamp: -1 };
            else if (p.timestamp === EARLIEST) found = { offset: log.logStartOffset, timestamp: -1 };
            else found = await findByTimestamp(log, p.timestamp);
            const offset = found?.offset ?? -1;
            return {
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.NONE,
              oldStyleOffsets: version === 0 && found && (p.maxNumOffsets ?? 1) > 0 ? [offset] : [],
              timestamp: found?.timestamp ?? -1,
              offset,
            };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

/**
 * The log's time index finds the first batch whose max timestamp reaches `ts`; Kafka answers with
 * the first *record* at or after it, so look inside that batch. Batches whose codec we cannot
 * decompress are answered at batch granularity.
 */
async function findByTimestamp(
  log: PartitionLog,
  ts: number,
): Promise<{ offset: number; timestamp: number } | null> {
  const batch = await log.offsetForTimestamp(ts);
  if (!batch) return null;
  try {
    const read = await log.read(batch.offset, 1);
    for (const record of decodeRecordBatches(Buffer.concat(read.records))) {
      if (record.offset >= batch.offset && record.timestamp >= ts)
        return { offset: record.offset, timestamp: record.timestamp };
    }
  } catch {
    // compressed with a codec we do not decode, or deleted by retention meanwhile
  }
  return batch;
}

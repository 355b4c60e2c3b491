/**
 * DeleteRecords (key 21), v0–2.
 * v0: per partition an offset; the log start offset moves up to it. v1: same as v0. v2: flexible.
 * Offset -1 means "up to the high watermark". An offset above the high watermark (or below -1) is
 * OFFSET_OUT_OF_RANGE; one at or below the current log start changes nothing. The answer's
 * low_watermark is the log start offset afterwards. The new start is written to disk before the
 * answer (it survives a restart) and whole segments below it are deleted; a Fetch below it gets
 * OFFSET_OUT_OF_RANGE, as on Apache Kafka. Kafka Streams purges its repartition topics this way.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

const HIGH_WATERMARK = -1;

interface DeleteRecordsRequest {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: number }> }>;
  timeoutMs: number;
}

export default defineHandler<DeleteRecordsRequest>({
  apiKey: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  async handle(req, { state, clientId }) {
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const log = state.topics.partition(t.name, p.partitionIndex);
            if (!log)
              return {
                partitionIndex: p.partitionIndex,
                lowWatermark: -1,
                errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              };
            const target = p.offset === HIGH_WATERMARK ? log.highWatermark : p.offset;
            if (target < 0 || target > log.highWatermark)
              return {
                partitionIndex: p.partitionIndex,
                lowWatermark: -1,
                errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
              };
            const before = log.logStartOffset;
            try {
              const lowWatermark = await log.deleteRecordsBefore(target);
              if (lowWatermark > before)
                state.logger.info('records deleted', {
                  topic: t.name,
                  partition: p.partitionIndex,
                  logStartOffset: lowWatermark,
                  clientId,
                });
              return { partitionIndex: p.partitionIndex, lowWatermark, errorCode: ErrorCode.NONE };
            } catch (err) {
              state.logger.error('DeleteRecords failed', {
                topic: t.name,
                partition: p.partitionIndex,
                error: String(err),
              });
              return {
                partitionIndex: p.partitionIndex,
                lowWatermark: -1,
                errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
              };
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

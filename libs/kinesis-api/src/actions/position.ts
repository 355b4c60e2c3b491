/**
 * Starting positions, shared by GetShardIterator and SubscribeToShard: the offset a
 * TRIM_HORIZON / LATEST / AT_ / AFTER_SEQUENCE_NUMBER / AT_TIMESTAMP position names in a partition.
 */
import { decodeRecordBatches } from '@orders/kafka-protocol';
import type { PartitionLog } from '@orders/sps-log';
import { invalidArgument } from '../errors.js';
import { sequenceNumberIn } from '../sequence.js';

export const POSITION_TYPES = [
  'AT_SEQUENCE_NUMBER',
  'AFTER_SEQUENCE_NUMBER',
  'TRIM_HORIZON',
  'LATEST',
  'AT_TIMESTAMP',
] as const;
export type PositionType = (typeof POSITION_TYPES)[number];

export async function startingOffset(
  log: PartitionLog,
  where: { stream: string; partition: number; shardId: string },
  type: PositionType,
  sequenceNumber: string | undefined,
  timestampMs: number | undefined,
): Promise<number> {
  switch (type) {
    case 'TRIM_HORIZON':
      return log.logStartOffset;
    case 'LATEST':
      return log.highWatermark;
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      if (sequenceNumber === undefined)
        throw invalidArgument(`A StartingSequenceNumber is required for ShardIteratorType ${type}.`);
      const offset = sequenceNumberIn(sequenceNumber, where.partition, where.shardId, where.stream);
      const at = type === 'AT_SEQUENCE_NUMBER' ? offset : offset + 1;
      // beyond the end: Kinesis refuses sequence numbers it never issued
      if (at > log.highWatermark)
        throw invalidArgument(
          `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${where.shardId} in stream ${where.stream} is beyond the shard's last record.`,
        );
      return Math.max(at, log.logStartOffset);
    }
    case 'AT_TIMESTAMP': {
      if (timestampMs === undefined)
        throw invalidArgument('A Timestamp is required for ShardIteratorType AT_TIMESTAMP.');
      const found = await log.offsetForTimestamp(timestampMs);
      if (!found) return log.highWatermark;
      // the log's time index finds the batch; the first record at or after the time is inside it
      const read = await log.read(found.offset, 1);
      for (const chunk of read.records)
        for (const r of decodeRecordBatches(chunk))
          if (r.offset >= found.offset && r.timestamp >= timestampMs) return r.offset;
      return found.offset;
    }
  }
}

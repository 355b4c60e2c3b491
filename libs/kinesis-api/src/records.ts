/**
 * Kinesis records in and out of the partition logs. A Kinesis record is a Kafka record: partition
 * key = record key (UTF-8), data = value, ApproximateArrivalTimestamp = the record's timestamp.
 * Writes become ordinary record batches (magic v2, uncompressed, no producer id), so Kafka consumers
 * read them like any other; reads decode whatever Kafka producers wrote.
 */
import {
  decodeRecordBatches,
  type DecodedRecord,
  encodeRecordBatch,
  LOG_OVERHEAD,
  readBatchHeader,
  RECORD_BATCH_OVERHEAD,
} from '@orders/kafka-protocol';
import { OffsetOutOfRangeError, type PartitionLog } from '@orders/sps-log';
import { encodeSequenceNumber } from './sequence.js';
import type { KinesisLogger, StreamStore, StreamTopic } from './store.js';

export interface KinesisRecord {
  SequenceNumber: string;
  /** epoch seconds, as JSON 1.1 carries timestamps */
  ApproximateArrivalTimestamp: number;
  Data: string;
  PartitionKey: string;
  EncryptionType: 'NONE';
}

export interface ReadBatch {
  records: KinesisRecord[];
  /** the offset to read next */
  nextOffset: number;
  /** the partition's end (high watermark) at the time of the read */
  highWatermark: number;
  millisBehindLatest: number;
}

/** GetRecords' limit on the bytes of one answer (10 MiB). */
export const MAX_READ_BYTES = 10 * 1024 * 1024;

/**
 * Up to `limit` records from `offset` (moved up to the log start if retention removed it). Batches
 * this decoder cannot open (snappy, lz4 or zstd from a Kafka producer) are skipped with a warning.
 */
export async function readShard(
  log: PartitionLog,
  partition: number,
  from: number,
  limit: number,
  logger: KinesisLogger,
  now = Date.now(),
): Promise<ReadBatch> {
  let offset = Math.max(from, log.logStartOffset);
  const records: KinesisRecord[] = [];
  let hwm = log.highWatermark;
  let bytes = 0;
  let lastTimestamp = -1;
  while (offset < hwm && records.length < limit && bytes < MAX_READ_BYTES) {
    let read;
    try {
      read = await log.read(offset, Math.min(1024 * 1024, MAX_READ_BYTES - bytes));
    } catch (err) {
      if (err instanceof OffsetOutOfRangeError && err.offset < err.logStartOffset) {
        offset = err.logStartOffset; // retention ran meanwhile: go on from the new trim horizon
        continue;
      }
      throw err;
    }
    hwm = read.highWatermark;
    if (read.records.length === 0) break;
    let advanced = false;
    for (const chunk of read.records) {
      for (let pos = 0; pos + RECORD_BATCH_OVERHEAD <= chunk.length;) {
        const size = LOG_OVERHEAD + chunk.readInt32BE(pos + 8);
        const batch = chunk.subarray(pos, pos + size);
        pos += size;
        const header = readBatchHeader(batch, 0);
        const batchEnd = header.baseOffset + header.lastOffsetDelta + 1;
        if (batchEnd <= offset) continue;
        let decoded: DecodedRecord[];
        try {
          decoded = decodeRecordBatches(batch);
        } catch (err) {
          logger.warn('GetRecords skipped a batch it cannot decode', {
            partition,
            baseOffset: header.baseOffset,
            error: String(err),
          });
          decoded = [];
        }
        let stopped = false;
        for (const r of decoded) {
          if (r.offset < offset) continue;
          if (records.length >= limit || bytes >= MAX_READ_BYTES) {
            stopped = true;
            break;
          }
          records.push({
            SequenceNumber: encodeSequenceNumber(partition, r.offset),
            ApproximateArrivalTimestamp: r.timestamp / 1000,
            Data: r.value ? r.value.toString('base64') : '',
            PartitionKey: r.key ? r.key.toString('utf8') : '',
            EncryptionType: 'NONE',
          });
          bytes += (r.value?.length ?? 0) + (r.key?.length ?? 0);
          lastTimestamp = r.timestamp;
          offset = r.offset + 1;
          advanced = true;
        }
        if (stopped) break;
        // control batches, compacted gaps, undecodable batches: the next read starts after them
        if (offset < batchEnd) {
          offset = batchEnd;
          advanced = true;
        }
      }
      if (records.length >= limit || bytes >= MAX_READ_BYTES) break;
    }
    if (!advanced) break;
  }
  const caughtUp = offset >= hwm;
  return {
    records,
    nextOffset: offset,
    highWatermark: hwm,
    millisBehindLatest: caughtUp || lastTimestamp < 0 ? 0 : Math.max(0, now - lastTimestamp),
  };
}

export interface RecordToWrite {
  partitionKey: string;
  data: Buffer;
}

export type WriteResult = { offset: number } | { error: string; message: string };

/**
 * Appends records to one partition in the order given, as few batches as the topic's
 * max.message.bytes allows, and makes them durable (fsync) before answering, as Kinesis
 * acknowledges only stored records. A record too large for the topic fails alone.
 */
export async function writeShard(
  store: StreamStore,
  topic: StreamTopic,
  partition: number,
  records: RecordToWrite[],
  now = Date.now(),
): Promise<WriteResult[]> {
  const log = topic.partitions[partition]!;
  const results: WriteResult[] = new Array(records.length);
  let group: number[] = [];
  let groupBytes = RECORD_BATCH_OVERHEAD;
  const appendGroup = () => {
    if (group.length === 0) return;
    const batch = encodeRecordBatch({
      records: group.map((i) => ({ key: records[i]!.partitionKey, value: records[i]!.data, timestamp: now })),
    });
    try {
      const appended = log.append(batch);
      group.forEach((i, n) => (results[i] = { offset: appended.baseOffset + n }));
      store.appended(topic.name, partition, batch.length);
    } catch (err) {
      store.logger.error('Kinesis append failed', { topic: topic.name, partition, error: String(err) });
      for (const i of group) results[i] = { error: 'InternalFailure', message: 'Internal service failure.' };
    }
    group = [];
    groupBytes = RECORD_BATCH_OVERHEAD;
  };
  records.forEach((r, i) => {
    // a record's encoded size: the bytes plus at most 20 bytes of varints and attributes
    const size = r.data.length + Buffer.byteLength(r.partitionKey) + 20;
    if (RECORD_BATCH_OVERHEAD + size > topic.maxMessageBytes) {
      results[i] = {
        error: 'InternalFailure',
        message: `The record (${r.data.length} bytes) is larger than topic ${topic.name}'s max.message.bytes (${topic.maxMessageBytes}).`,
      };
      return;
    }
    if (groupBytes + size > topic.maxMessageBytes) appendGroup();
    group.push(i);
    groupBytes += size;
  });
  appendGroup();
  if (results.some((r) => 'offset' in r)) {
    try {
      await log.flush();
    } catch (err) {
      store.logger.error('Kinesis fsync failed', { topic: topic.name, partition, error: String(err) });
      for (let i = 0; i < results.length; i++)
        if ('offset' in results[i]!)
          results[i] = { error: 'InternalFailure', message: 'Internal service failure.' };
    }
  }
  return results;
}

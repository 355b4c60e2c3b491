/**
 * The few record batch v2 header fields the log needs (layout: CLIENT-COMPAT.md §8). Private to
 * sps-log on purpose: the log never decodes records, it only reads a handful of fixed header fields,
 * patches `baseOffset` and `partitionLeaderEpoch` (not covered by the CRC), and checks the CRC-32C
 * when it validates the tail of the active segment at start-up.
 */
import { crc32c } from '@node-rs/crc32';

export const BASE_OFFSET = 0; // i64
export const BATCH_LENGTH = 8; // i32, bytes after this field
export const PARTITION_LEADER_EPOCH = 12; // i32
export const MAGIC = 16; // i8
export const CRC = 17; // u32, CRC-32C over [ATTRIBUTES, end)
export const ATTRIBUTES = 21; // i16
export const LAST_OFFSET_DELTA = 23; // i32
export const BASE_TIMESTAMP = 27; // i64
export const MAX_TIMESTAMP = 35; // i64
export const PRODUCER_ID = 43; // i64
export const PRODUCER_EPOCH = 51; // i16
export const BASE_SEQUENCE = 53; // i32
export const RECORD_COUNT = 57; // i32
export const HEADER_SIZE = 61;

/** Bytes before and including `batchLength`: a batch occupies LOG_OVERHEAD + batchLength bytes. */
export const LOG_OVERHEAD = 12;
/** The smallest legal `batchLength` (a header with no records). */
export const MIN_BATCH_LENGTH = HEADER_SIZE - LOG_OVERHEAD;

export const readBaseOffset = (b: Buffer, at = 0): number => Number(b.readBigInt64BE(at + BASE_OFFSET));
/** Total size of the batch starting at `at` (LOG_OVERHEAD + batchLength). */
export const readBatchSize = (b: Buffer, at = 0): number => LOG_OVERHEAD + b.readInt32BE(at + BATCH_LENGTH);
export const readMagic = (b: Buffer, at = 0): number => b.readInt8(at + MAGIC);
export const readLastOffsetDelta = (b: Buffer, at = 0): number => b.readInt32BE(at + LAST_OFFSET_DELTA);
export const readMaxTimestamp = (b: Buffer, at = 0): number => Number(b.readBigInt64BE(at + MAX_TIMESTAMP));
export const readRecordCount = (b: Buffer, at = 0): number => b.readInt32BE(at + RECORD_COUNT);

/** Patches the two fields the CRC does not cover, in place. */
export function patchBatch(b: Buffer, baseOffset: number, leaderEpoch: number): void {
  b.writeBigInt64BE(BigInt(baseOffset), BASE_OFFSET);
  b.writeInt32BE(leaderEpoch, PARTITION_LEADER_EPOCH);
}

/** Does the stored CRC-32C match bytes [ATTRIBUTES, end) of the batch at `at` (of `size` bytes)? */
export function crcMatches(b: Buffer, at: number, size: number): boolean {
  return crc32c(b.subarray(at + ATTRIBUTES, at + size)) >>> 0 === b.readUInt32BE(at + CRC);
}

export interface BatchInfo {
  baseOffset: number;
  /** baseOffset + lastOffsetDelta */
  lastOffset: number;
  size: number;
  maxTimestamp: number;
}

/**
 * Structural check of the batch header at `at` inside `b` (which holds `avail` readable bytes from
 * `at`). Returns the parsed header, or a reason why this is not a whole batch.
 */
export function checkHeader(b: Buffer, at: number, avail: number): BatchInfo | string {
  if (avail < HEADER_SIZE) return `only ${avail} bytes left, less than a batch header`;
  const batchLength = b.readInt32BE(at + BATCH_LENGTH);
  if (batchLength < MIN_BATCH_LENGTH) return `batchLength ${batchLength} is too small`;
  const magic = readMagic(b, at);
  if (magic !== 2) return `magic ${magic} is not 2`;
  const lastOffsetDelta = readLastOffsetDelta(b, at);
  if (lastOffsetDelta < 0) return `lastOffsetDelta ${lastOffsetDelta} is negative`;
  const baseOffset = readBaseOffset(b, at);
  return {
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    size: LOG_OVERHEAD + batchLength,
    maxTimestamp: readMaxTimestamp(b, at),
  };
}

/**
 * Record batch v2 (magic 2): header access, validation for Produce, in-place patching for append,
 * an encoder (CLI producer, tests) and a decoder (CLI consumer, tests).
 *
 * Layout (Kafka `DefaultRecordBatch`; CLIENT-COMPAT.md §8) — the CRC-32C covers [ATTRIBUTES, end),
 * so `baseOffset` and `partitionLeaderEpoch` can be patched without recomputing it.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { ErrorCode, ProtocolError } from './errors.js';
import { compressRecords, decompressRecords } from './compression.js';
import { Writer } from './primitives.js';

export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset + batchLength: bytes not counted in batchLength. */
export const LOG_OVERHEAD = 12;

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** CRC-32C (Castagnoli), unsigned. */
export function crc32c(buf: Uint8Array | string, initial?: number): number {
  return nativeCrc32c(buf, initial) >>> 0;
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  /** 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  /** 0 CreateTime, 1 LogAppendTime. */
  timestampType: number;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** 12 + batchLength: the batch's size in bytes. */
  totalSize: number;
  /** Where the batch starts in the buffer it was read from. */
  position: number;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number;
}

function readI64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

function writeI64(buf: Buffer, at: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new ProtocolError(`int64 value ${v} is not a safe integer`);
  const hi = Math.floor(v / 4294967296);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * 4294967296, at + 4);
}

/** Reads the 61-byte header of the batch at `offset`. Throws ProtocolError if fewer bytes are there. */
export function readBatchHeader(buf: Buffer, offset = 0): BatchHeader {
  if (offset < 0 || offset + RECORD_BATCH_OVERHEAD > buf.length) {
    throw new ProtocolError(
      `truncated record batch header at ${offset}: need ${RECORD_BATCH_OVERHEAD} bytes, have ${Math.max(0, buf.length - offset)}`,
    );
  }
  const batchLength = buf.readInt32BE(offset + BATCH_LENGTH);
  const attributes = buf.readInt16BE(offset + ATTRIBUTES);
  const baseOffset = readI64(buf, offset + BASE_OFFSET);
  const lastOffsetDelta = buf.readInt32BE(offset + LAST_OFFSET_DELTA);
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(offset + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(offset + MAGIC),
    crc: buf.readUInt32BE(offset + CRC),
    attributes,
    compression: attributes & COMPRESSION_CODEC_MASK,
    timestampType: (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? 1 : 0,
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    lastOffsetDelta,
    baseTimestamp: readI64(buf, offset + BASE_TIMESTAMP),
    maxTimestamp: readI64(buf, offset + MAX_TIMESTAMP),
    producerId: readI64(buf, offset + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(offset + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(offset + BASE_SEQUENCE),
    recordCount: buf.readInt32BE(offset + RECORD_COUNT),
    totalSize: LOG_OVERHEAD + batchLength,
    position: offset,
    lastOffset: baseOffset + lastOffsetDelta,
  };
}

/** The CRC-32C the batch at `offset` should carry (over [ATTRIBUTES, end)). */
export function computeBatchCrc(buf: Buffer, offset = 0): number {
  const total = LOG_OVERHEAD + buf.readInt32BE(offset + BATCH_LENGTH);
  return crc32c(buf.subarray(offset + ATTRIBUTES, offset + total));
}

/** True if the stored CRC of the batch at `offset` matches its contents. */
export function verifyBatchCrc(buf: Buffer, offset = 0): boolean {
  return computeBatchCrc(buf, offset) === buf.readUInt32BE(offset + CRC);
}

/** Recomputes and stores the CRC (needed after changing attributes or maxTimestamp, e.g. LogAppendTime). */
export function recomputeBatchCrc(buf: Buffer, offset = 0): number {
  const crc = computeBatchCrc(buf, offset);
  buf.writeUInt32BE(crc, offset + CRC);
  return crc;
}

/** Writes baseOffset and partitionLeaderEpoch in place. The CRC does not cover them. */
export function patchBatch(buf: Buffer, offset: number, baseOffset: number, leaderEpoch: number): void {
  writeI64(buf, offset + BASE_OFFSET, baseOffset);
  buf.writeInt32BE(leaderEpoch, offset + PARTITION_LEADER_EPOCH);
}

export type ValidateResult =
  | { ok: true; batches: BatchHeader[]; recordCount: number }
  | { ok: false; errorCode: number; message: string };

// ---- allocation-free varint scanning over a region ----

/** Returns the decoded zigzag varint and advances `cur.p`; returns NaN if malformed/truncated. */
function scanVarint(buf: Buffer, cur: { p: number }, end: number, maxBytes: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (cur.p >= end) return NaN;
    const b = buf[cur.p++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    mul *= 128;
  }
  return NaN;
}

/**
 * Checks that an uncompressed records region holds exactly `count` well-formed records.
 * Returns an error message, or null if fine.
 */
function checkRecordsRegion(buf: Buffer, start: number, end: number, count: number): string | null {
  const cur = { p: start };
  for (let i = 0; i < count; i++) {
    const len = scanVarint(buf, cur, end, 5);
    if (!(len >= 0) || cur.p + len > end) return `record ${i}: invalid length`;
    const recEnd = cur.p + len;
    cur.p += 1; // attributes
    if (Number.isNaN(scanVarint(buf, cur, recEnd, 10))) return `record ${i}: invalid timestamp delta`;
    if (Number.isNaN(scanVarint(buf, cur, recEnd, 5))) return `record ${i}: invalid offset delta`;
    const keyLen = scanVarint(buf, cur, recEnd, 5);
    if (!(keyLen >= -1) || cur.p + Math.max(keyLen, 0) > recEnd) return `record ${i}: invalid key length`;
    if (keyLen > 0) cur.p += keyLen;
    const valueLen = scanVarint(buf, cur, recEnd, 5);
    if (!(valueLen >= -1) || cur.p + Math.max(valueLen, 0) > recEnd)
      return `record ${i}: invalid value length`;
    if (valueLen > 0) cur.p += valueLen;
    const headers = scanVarint(buf, cur, recEnd, 5);
    if (!(headers >= 0)) return `record ${i}: invalid header count`;
    for (let h = 0; h < headers; h++) {
      const hk = scanVarint(buf, cur, recEnd, 5);
      if (!(hk >= 0) || cur.p + hk > recEnd) return `record ${i}: invalid header key`;
      cur.p += hk;
      const hv = scanVarint(buf, cur, recEnd, 5);
      if (!(hv >= -1) || cur.p + Math.max(hv, 0) > recEnd) return `record ${i}: invalid header value`;
      if (hv > 0) cur.p += hv;
    }
    if (cur.p !== recEnd) return `record ${i}: length ${len} does not match its contents`;
  }
  if (cur.p !== end) return `${end - cur.p} bytes left after ${count} records`;
  return null;
}

/**
 * Validates the record batches a producer sent, the way Kafka's ProduceRequest/LogValidator do:
 * every batch complete and magic 2 (else INVALID_RECORD), CRC-32C correct (else CORRUPT_MESSAGE),
 * recordCount > 0 and == lastOffsetDelta + 1, no control batch, a sequence for idempotent batches,
 * and — for uncompressed batches — a records region that parses into exactly recordCount records
 * (else INVALID_RECORD). Trailing bytes that are not a whole batch are CORRUPT_MESSAGE.
 * Produce v3+ also requires exactly one batch per partition; check `batches.length` for that.
 */
export function validateBatches(records: Buffer): ValidateResult {
  const bad = (errorCode: number, message: string): ValidateResult => ({ ok: false, errorCode, message });
  const len = records.length;
  if (len === 0) return bad(ErrorCode.INVALID_RECORD, 'no record batch');
  const batches: BatchHeader[] = [];
  let total = 0;
  let pos = 0;
  while (pos < len) {
    const left = len - pos;
    if (left > MAGIC && records.readInt8(pos + MAGIC) !== 2) {
      return bad(
        ErrorCode.INVALID_RECORD,
        `record batch at byte ${pos} has magic ${records.readInt8(pos + MAGIC)}; only magic 2 is supported`,
      );
    }
    if (left < RECORD_BATCH_OVERHEAD) {
      return bad(ErrorCode.CORRUPT_MESSAGE, `truncated record batch at byte ${pos}: ${left} bytes`);
    }
    const batchLength = records.readInt32BE(pos + BATCH_LENGTH);
    if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
      return bad(ErrorCode.CORRUPT_MESSAGE, `record batch at byte ${pos} has invalid length ${batchLength}`);
    }
    if (batchLength + LOG_OVERHEAD > left) {
      return bad(
        ErrorCode.CORRUPT_MESSAGE,
        `record batch at byte ${pos} claims ${batchLength + LOG_OVERHEAD} bytes, only ${left} present`,
      );
    }
    const h = readBatchHeader(records, pos);
    const crc = crc32c(records.subarray(pos + ATTRIBUTES, pos + h.totalSize));
    if (crc !== h.crc) {
      return bad(
        ErrorCode.CORRUPT_MESSAGE,
        `record batch at byte ${pos} is corrupt: CRC ${h.crc.toString(16)} stored, ${crc.toString(16)} computed`,
      );
    }
    if (h.compression > 4) {
      return bad(
        ErrorCode.CORRUPT_MESSAGE,
        `record batch at byte ${pos} has unknown compression codec ${h.compression}`,
      );
    }
    if (h.recordCount <= 0 || h.lastOffsetDelta < 0) {
      return bad(
        ErrorCode.INVALID_RECORD,
        `record batch at byte ${pos} has no records (count ${h.recordCount})`,
      );
    }
    if (h.recordCount !== h.lastOffsetDelta + 1) {
      return bad(
        ErrorCode.INVALID_RECORD,
        `record batch at byte ${pos}: recordCount ${h.recordCount} != lastOffsetDelta + 1 (${h.lastOffsetDelta + 1})`,
      );
    }
    if (h.isControl) return bad(ErrorCode.INVALID_RECORD, 'clients are not allowed to write control records');
    if (h.producerId >= 0 && h.baseSequence < 0) {
      return bad(ErrorCode.INVALID_RECORD, `idempotent record batch has invalid sequence ${h.baseSequence}`);
    }
    if (h.compression === 0) {
      const err = checkRecordsRegion(records, pos + RECORD_BATCH_OVERHEAD, pos + h.totalSize, h.recordCount);
      if (err) return bad(ErrorCode.INVALID_RECORD, `record batch at byte ${pos}: ${err}`);
    }
    batches.push(h);
    total += h.recordCount;
    pos += h.totalSize;
  }
  return { ok: true, batches, recordCount: total };
}

// ---- encoding ----

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Array<{ key: string; value: Buffer | string | null }> | Record<string, string>;
  timestamp?: number;
}

export interface EncodeBatchOptions {
  records: RecordInput[];
  baseOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** zstd can be decoded but not encoded here. */
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4';
  partitionLeaderEpoch?: number;
  /** Sets the transactional attribute bit. */
  transactional?: boolean;
}

function toBuf(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) w.varint(-1);
  else {
    w.varint(b.length);
    w.raw(b);
  }
}

/** Builds one valid magic-2 batch (CRC included). Timestamps default to now. */
export function encodeRecordBatch(opts: EncodeBatchOptions): Buffer {
  const recs = opts.records;
  if (recs.length === 0) throw new ProtocolError('a record batch needs at least one record');
  const now = Date.now();
  const timestamps = recs.map((r) => r.timestamp ?? now);
  const baseTimestamp = timestamps[0]!;
  let maxTimestamp = baseTimestamp;
  for (const t of timestamps) if (t > maxTimestamp) maxTimestamp = t;

  const body = new Writer(256);
  recs.forEach((r, i) => {
    const rw = new Writer(64);
    rw.int8(0); // attributes (unused)
    rw.varlong(timestamps[i]! - baseTimestamp);
    rw.varint(i);
    writeVarBytes(rw, toBuf(r.key));
    writeVarBytes(rw, toBuf(r.value));
    const headers = r.headers
      ? Array.isArray(r.headers)
        ? r.headers
        : Object.entries(r.headers).map(([key, value]) => ({ key, value }))
      : [];
    rw.varint(headers.length);
    for (const h of headers) {
      const k = Buffer.from(h.key, 'utf8');
      rw.varint(k.length);
      rw.raw(k);
      writeVarBytes(rw, toBuf(h.value));
    }
    body.varint(rw.size);
    for (const c of rw.chunks()) body.raw(c);
  });
  const codec = Compression[opts.compression ?? 'none'];
  const region = compressRecords(codec, body.toBuffer());

  const total = RECORD_BATCH_OVERHEAD + region.length;
  const buf = Buffer.allocUnsafe(total);
  writeI64(buf, BASE_OFFSET, opts.baseOffset ?? 0);
  buf.writeInt32BE(total - LOG_OVERHEAD, BATCH_LENGTH);
  buf.writeInt32BE(opts.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH);
  buf.writeInt8(2, MAGIC);
  buf.writeInt16BE(codec | (opts.transactional ? TRANSACTIONAL_MASK : 0), ATTRIBUTES);
  buf.writeInt32BE(recs.length - 1, LAST_OFFSET_DELTA);
  writeI64(buf, BASE_TIMESTAMP, baseTimestamp);
  writeI64(buf, MAX_TIMESTAMP, maxTimestamp);
  writeI64(buf, PRODUCER_ID, opts.producerId ?? -1);
  buf.writeInt16BE(opts.producerEpoch ?? -1, PRODUCER_EPOCH);
  buf.writeInt32BE(opts.baseSequence ?? -1, BASE_SEQUENCE);
  buf.writeInt32BE(recs.length, RECORD_COUNT);
  region.copy(buf, RECORD_BATCH_OVERHEAD);
  buf.writeUInt32BE(crc32c(buf.subarray(ATTRIBUTES)), CRC);
  return buf;
}

// ---- decoding ----

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
  batch: BatchHeader;
}

function decompress(h: BatchHeader, region: Buffer): Buffer {
  if (h.compression === 0) return region;
  try {
    return decompressRecords(h.compression, region);
  } catch (err) {
    throw new ProtocolError(`record batch at offset ${h.baseOffset}: ${(err as Error).message}`);
  }
}

function readVarint(buf: Buffer, cur: { p: number }, end: number, maxBytes: number, what: string): number {
  const v = scanVarint(buf, cur, end, maxBytes);
  if (Number.isNaN(v)) throw new ProtocolError(`malformed record: bad ${what}`);
  return v;
}

function readVarBytes(buf: Buffer, cur: { p: number }, end: number, what: string): Buffer | null {
  const n = readVarint(buf, cur, end, 5, `${what} length`);
  if (n === -1) return null;
  if (n < -1 || cur.p + n > end) throw new ProtocolError(`malformed record: bad ${what} length ${n}`);
  const b = buf.subarray(cur.p, cur.p + n);
  cur.p += n;
  return b;
}

/**
 * Decodes concatenated batches (e.g. a Fetch response's records). A partial batch at the end is
 * ignored (fetch responses may end mid-batch); control batches are skipped; compressed batches are
 * decompressed (every codec Kafka has). Keys/values are zero-copy views (into the decompressed data when compressed).
 */
export function decodeRecordBatches(buf: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  let pos = 0;
  while (pos + RECORD_BATCH_OVERHEAD <= buf.length) {
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
    const totalSize = LOG_OVERHEAD + batchLength;
    if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
      throw new ProtocolError(`record batch at byte ${pos} has invalid length ${batchLength}`);
    }
    if (pos + totalSize > buf.length) break; // partial trailing batch
    const h = readBatchHeader(buf, pos);
    if (h.magic !== 2)
      throw new ProtocolError(`record batch at byte ${pos} has unsupported magic ${h.magic}`);
    pos += totalSize;
    if (h.isControl) continue;
    const region = decompress(h, buf.subarray(h.position + RECORD_BATCH_OVERHEAD, h.position + totalSize));
    const cur = { p: 0 };
    const end = region.length;
    for (let i = 0; i < h.recordCount; i++) {
      const len = readVarint(region, cur, end, 5, 'record length');
      const recEnd = cur.p + len;
      if (len < 0 || recEnd > end) throw new ProtocolError(`malformed record: length ${len}`);
      cur.p += 1; // attributes
      const tsDelta = readVarint(region, cur, recEnd, 10, 'timestamp delta');
      const offsetDelta = readVarint(region, cur, recEnd, 5, 'offset delta');
      const key = readVarBytes(region, cur, recEnd, 'key');
      const value = readVarBytes(region, cur, recEnd, 'value');
      const headerCount = readVarint(region, cur, recEnd, 5, 'header count');
      if (headerCount < 0) throw new ProtocolError(`malformed record: header count ${headerCount}`);
      const headers: Array<{ key: string; value: Buffer | null }> = [];
      for (let j = 0; j < headerCount; j++) {
        const hk = readVarBytes(region, cur, recEnd, 'header key');
        if (hk === null) throw new ProtocolError('malformed record: null header key');
        headers.push({ key: hk.toString('utf8'), value: readVarBytes(region, cur, recEnd, 'header value') });
      }
      cur.p = recEnd;
      out.push({
        offset: h.baseOffset + offsetDelta,
        timestamp: h.timestampType === 1 ? h.maxTimestamp : h.baseTimestamp + tsDelta,
        key,
        value,
        headers,
        batch: h,
      });
    }
  }
  return out;
}

// ---- transaction markers (control batches) ----

/** Control record types (the key's second int16). */
export const ControlType = { abort: 0, commit: 1 } as const;

export interface ControlBatchOptions {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  /** the transaction coordinator's epoch, in the marker's value */
  coordinatorEpoch?: number;
  timestamp?: number;
}

/**
 * A transaction marker as Kafka writes it: one control record in a batch with the transactional and
 * control attribute bits, the producer's id and epoch, no sequence; key = int16 version 0 + int16
 * type (0 abort, 1 commit), value = int16 version 0 + int32 coordinator epoch.
 */
export function encodeControlBatch(opts: ControlBatchOptions): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(opts.commit ? ControlType.commit : ControlType.abort, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(opts.coordinatorEpoch ?? 0, 2);
  const buf = encodeRecordBatch({
    records: [{ key, value, timestamp: opts.timestamp }],
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    transactional: true,
  });
  buf.writeInt16BE(buf.readInt16BE(ATTRIBUTES) | CONTROL_MASK, ATTRIBUTES);
  buf.writeUInt32BE(crc32c(buf.subarray(ATTRIBUTES)), CRC);
  return buf;
}

/**
 * The control type (0 abort, 1 commit) of the control batch at `at` in `buf`, or -1 when it is not
 * one we can read (control batches are never compressed).
 */
export function controlTypeOf(buf: Buffer, at = 0): number {
  const h = readBatchHeader(buf, at);
  if (!h.isControl || h.compression !== 0 || h.recordCount < 1) return -1;
  const end = at + h.totalSize;
  if (end > buf.length) return -1;
  try {
    const cur = { p: at + RECORD_BATCH_OVERHEAD };
    readVarint(buf, cur, end, 5, 'record length');
    cur.p += 1; // attributes
    readVarint(buf, cur, end, 10, 'timestamp delta');
    readVarint(buf, cur, end, 5, 'offset delta');
    const key = readVarBytes(buf, cur, end, 'key');
    if (!key || key.length < 4) return -1;
    return key.readInt16BE(2);
  } catch {
    return -1;
  }
}

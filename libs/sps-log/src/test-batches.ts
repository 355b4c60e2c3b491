/**
 * A minimal record batch v2 encoder/decoder for tests and the benchmark (uncompressed, no headers'
 * edge cases). Not used by the log itself: the log never decodes records.
 */
import { crc32c } from '@node-rs/crc32';
import {
  ATTRIBUTES,
  CRC,
  HEADER_SIZE,
  readBaseOffset,
  readBatchSize,
  readLastOffsetDelta,
  readMaxTimestamp,
  readRecordCount,
} from './batch.js';

export interface TestRecord {
  key?: string | null;
  value: string | Buffer | null;
  /** absolute timestamp (ms); defaults to the batch timestamp */
  timestamp?: number;
}

export interface TestBatchOptions {
  /** base timestamp (ms), default 1_700_000_000_000 */
  timestamp?: number;
  /** header maxTimestamp; default = the largest record timestamp */
  maxTimestamp?: number;
}

function zigzagVarint(n: number, out: number[]): void {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function readVarint(b: Buffer, at: { i: number }): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    const byte = b[at.i++]!;
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) break;
    mul *= 0x80;
  }
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

/** A valid record batch v2 (baseOffset 0, correct CRC-32C) holding `records` (or N generated ones). */
export function makeBatch(records: TestRecord[] | number, opts: TestBatchOptions = {}): Buffer {
  const base = opts.timestamp ?? 1_700_000_000_000;
  const recs: TestRecord[] =
    typeof records === 'number'
      ? Array.from({ length: records }, (_, i) => ({ key: `k${i}`, value: `value-${i}` }))
      : records;
  if (recs.length === 0) throw new Error('a batch needs at least one record');
  const body: Buffer[] = [];
  let maxTs = base;
  recs.forEach((r, i) => {
    const ts = r.timestamp ?? base;
    if (ts > maxTs) maxTs = ts;
    const key = r.key == null ? null : Buffer.from(r.key);
    const value = r.value == null ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    const head: number[] = [0]; // attributes
    zigzagVarint(ts - base, head);
    zigzagVarint(i, head);
    zigzagVarint(key ? key.length : -1, head);
    const mid: number[] = [];
    zigzagVarint(value ? value.length : -1, mid);
    const tail: number[] = [];
    zigzagVarint(0, tail); // no headers
    const rec = Buffer.concat([
      Buffer.from(head),
      key ?? Buffer.alloc(0),
      Buffer.from(mid),
      value ?? Buffer.alloc(0),
      Buffer.from(tail),
    ]);
    const len: number[] = [];
    zigzagVarint(rec.length, len);
    body.push(Buffer.from(len), rec);
  });
  const records_ = Buffer.concat(body);
  const b = Buffer.alloc(HEADER_SIZE + records_.length);
  b.writeBigInt64BE(0n, 0);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt32BE(-1, 12);
  b.writeInt8(2, 16);
  b.writeInt16BE(0, 21);
  b.writeInt32BE(recs.length - 1, 23);
  b.writeBigInt64BE(BigInt(base), 27);
  b.writeBigInt64BE(BigInt(opts.maxTimestamp ?? maxTs), 35);
  b.writeBigInt64BE(-1n, 43);
  b.writeInt16BE(-1, 51);
  b.writeInt32BE(-1, 53);
  b.writeInt32BE(recs.length, 57);
  records_.copy(b, HEADER_SIZE);
  b.writeUInt32BE(crc32c(b.subarray(ATTRIBUTES)) >>> 0, CRC);
  return b;
}

/** A batch of `count` records whose values are `valueSize` bytes each. */
export function sizedBatch(count: number, valueSize: number, opts: TestBatchOptions = {}): Buffer {
  const value = Buffer.alloc(valueSize, 0x61);
  return makeBatch(
    Array.from({ length: count }, () => ({ value })),
    opts,
  );
}

export interface ParsedBatch {
  baseOffset: number;
  lastOffset: number;
  recordCount: number;
  maxTimestamp: number;
  size: number;
  crcOk: boolean;
  bytes: Buffer;
}

/** Splits read() output into batches; throws if it is not a sequence of whole batches. */
export function splitBatches(chunks: Buffer[]): ParsedBatch[] {
  const out: ParsedBatch[] = [];
  for (const c of chunks) {
    let at = 0;
    while (at < c.length) {
      if (c.length - at < HEADER_SIZE) throw new Error(`partial batch header at ${at}`);
      const size = readBatchSize(c, at);
      if (at + size > c.length)
        throw new Error(`partial batch at ${at}: ${size} bytes, ${c.length - at} left`);
      const bytes = c.subarray(at, at + size);
      out.push({
        baseOffset: readBaseOffset(c, at),
        lastOffset: readBaseOffset(c, at) + readLastOffsetDelta(c, at),
        recordCount: readRecordCount(c, at),
        maxTimestamp: readMaxTimestamp(c, at),
        size,
        crcOk: crc32c(bytes.subarray(ATTRIBUTES)) >>> 0 === bytes.readUInt32BE(CRC),
        bytes,
      });
      at += size;
    }
  }
  return out;
}

/** Values of the records of an uncompressed batch, as strings. */
export function recordValues(batch: Buffer): Array<string | null> {
  const count = readRecordCount(batch);
  const at = { i: HEADER_SIZE };
  const values: Array<string | null> = [];
  for (let r = 0; r < count; r++) {
    const len = readVarint(batch, at);
    const end = at.i + len;
    at.i += 1; // attributes
    readVarint(batch, at); // timestamp delta
    readVarint(batch, at); // offset delta
    const keyLen = readVarint(batch, at);
    if (keyLen > 0) at.i += keyLen;
    const valueLen = readVarint(batch, at);
    values.push(valueLen < 0 ? null : batch.toString('utf8', at.i, at.i + valueLen));
    at.i = end;
  }
  return values;
}

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from './errors.js';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  CONTROL_MASK,
  CRC,
  LAST_OFFSET_DELTA,
  MAGIC,
  PARTITION_LEADER_EPOCH,
  RECORD_BATCH_OVERHEAD,
  RECORD_COUNT,
  crc32c,
  decodeRecordBatches,
  encodeRecordBatch,
  patchBatch,
  readBatchHeader,
  recomputeBatchCrc,
  validateBatches,
  verifyBatchCrc,
} from './record-batch.js';

const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

describe('crc32c', () => {
  it('matches the standard CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('encode → validate → decode', () => {
  it('round-trips keys, null keys, null values, headers and timestamps', () => {
    const batch = encodeRecordBatch({
      baseOffset: 0,
      records: [
        {
          key: 'k1',
          value: 'v1',
          timestamp: 1_700_000_000_000,
          headers: { traceparent: '00-abc', 'schema-version': '1' },
        },
        { key: null, value: Buffer.from([0, 1, 2]), timestamp: 1_700_000_000_005 },
        {
          key: Buffer.from('k3'),
          value: null,
          timestamp: 1_699_999_999_999,
          headers: [{ key: 'h', value: null }],
        },
      ],
    });
    const v = validateBatches(batch);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.recordCount).toBe(3);
    expect(v.batches).toHaveLength(1);
    const h = v.batches[0]!;
    expect(h).toMatchObject({
      baseOffset: 0,
      magic: 2,
      compression: 0,
      timestampType: 0,
      isControl: false,
      isTransactional: false,
      lastOffsetDelta: 2,
      recordCount: 3,
      baseTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_005,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      partitionLeaderEpoch: -1,
      totalSize: batch.length,
    });

    const recs = decodeRecordBatches(batch);
    expect(recs.map((r) => [r.offset, r.timestamp, str(r.key), r.value && [...r.value]])).toEqual([
      [0, 1_700_000_000_000, 'k1', [...Buffer.from('v1')]],
      [1, 1_700_000_000_005, null, [0, 1, 2]],
      [2, 1_699_999_999_999, 'k3', null],
    ]);
    expect(recs[0]!.headers.map((x) => [x.key, str(x.value)])).toEqual([
      ['traceparent', '00-abc'],
      ['schema-version', '1'],
    ]);
    expect(recs[2]!.headers).toEqual([{ key: 'h', value: null }]);
    expect(recs[1]!.headers).toEqual([]);
  });

  it('handles many records and concatenated batches', () => {
    const a = encodeRecordBatch({
      baseOffset: 100,
      records: Array.from({ length: 1000 }, (_, i) => ({
        key: `key-${i}`,
        value: `value-${i}`.repeat(i % 7),
      })),
    });
    const b = encodeRecordBatch({ baseOffset: 1100, records: [{ value: 'last' }] });
    const both = Buffer.concat([a, b]);
    const v = validateBatches(both);
    expect(v.ok && v.recordCount).toBe(1001);
    const recs = decodeRecordBatches(both);
    expect(recs).toHaveLength(1001);
    expect(recs[999]).toMatchObject({ offset: 1099 });
    expect(str(recs[999]!.value)).toBe('value-999'.repeat(999 % 7));
    expect(recs[1000]!.offset).toBe(1100);
    expect(str(recs[1000]!.value)).toBe('last');
  });

  it('gzip batches validate without decompression and decode', () => {
    const batch = encodeRecordBatch({
      compression: 'gzip',
      records: [{ key: 'a', value: 'x'.repeat(5000) }, { value: 'y' }],
    });
    expect(batch.length).toBeLessThan(500);
    expect(readBatchHeader(batch).compression).toBe(1);
    expect(validateBatches(batch).ok).toBe(true);
    const recs = decodeRecordBatches(batch);
    expect(recs.map((r) => str(r.value))).toEqual(['x'.repeat(5000), 'y']);
  });

  it('refuses codecs it cannot decompress, naming them', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'v' }] });
    batch.writeInt16BE(4, ATTRIBUTES); // zstd
    recomputeBatchCrc(batch);
    expect(validateBatches(batch).ok).toBe(true); // compressed batches are stored as is
    expect(() => decodeRecordBatches(batch)).toThrow(/zstd/);
  });

  it('idempotent producer fields are carried', () => {
    const batch = encodeRecordBatch({
      producerId: 4242,
      producerEpoch: 3,
      baseSequence: 17,
      records: [{ value: 'v' }],
    });
    expect(readBatchHeader(batch)).toMatchObject({ producerId: 4242, producerEpoch: 3, baseSequence: 17 });
    expect(validateBatches(batch).ok).toBe(true);
  });
});

describe('validateBatches rejects what Kafka rejects', () => {
  const good = (): Buffer => encodeRecordBatch({ records: [{ key: 'k', value: 'v' }, { value: 'w' }] });
  const expectError = (buf: Buffer, code: number): void => {
    const v = validateBatches(buf);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errorCode).toBe(code);
  };

  it('a flipped byte anywhere in the CRC-covered region is CORRUPT_MESSAGE', () => {
    for (const at of [ATTRIBUTES + 1, LAST_OFFSET_DELTA + 3, RECORD_BATCH_OVERHEAD + 2]) {
      const b = good();
      b[at]! ^= 0x40;
      expectError(b, ErrorCode.CORRUPT_MESSAGE);
    }
  });
  it('bad magic is INVALID_RECORD (Kafka: produce v3+ allows only magic 2)', () => {
    const b = good();
    b.writeInt8(1, MAGIC);
    expectError(b, ErrorCode.INVALID_RECORD);
  });
  it('recordCount != lastOffsetDelta + 1 is INVALID_RECORD', () => {
    const b = good();
    b.writeInt32BE(3, RECORD_COUNT);
    recomputeBatchCrc(b);
    expectError(b, ErrorCode.INVALID_RECORD);
  });
  it('a records region that does not match recordCount is INVALID_RECORD', () => {
    const b = good();
    b.writeInt32BE(0, LAST_OFFSET_DELTA);
    b.writeInt32BE(1, RECORD_COUNT); // header says 1 record, region holds 2
    recomputeBatchCrc(b);
    expectError(b, ErrorCode.INVALID_RECORD);
  });
  it('control batches from clients are INVALID_RECORD', () => {
    const b = good();
    b.writeInt16BE(CONTROL_MASK, ATTRIBUTES);
    recomputeBatchCrc(b);
    expectError(b, ErrorCode.INVALID_RECORD);
  });
  it('truncated batches, bad lengths and trailing garbage are CORRUPT_MESSAGE', () => {
    const b = good();
    expectError(b.subarray(0, b.length - 1), ErrorCode.CORRUPT_MESSAGE);
    expectError(b.subarray(0, 40), ErrorCode.CORRUPT_MESSAGE);
    expectError(Buffer.concat([b, Buffer.from([1, 2, 3])]), ErrorCode.CORRUPT_MESSAGE);
    const c = good();
    c.writeInt32BE(10, 8);
    expectError(c, ErrorCode.CORRUPT_MESSAGE);
  });
  it('an empty buffer is INVALID_RECORD', () => {
    expectError(Buffer.alloc(0), ErrorCode.INVALID_RECORD);
  });
  it('an idempotent batch without a sequence is INVALID_RECORD', () => {
    expectError(
      encodeRecordBatch({ producerId: 1, baseSequence: -1, records: [{ value: 'v' }] }),
      ErrorCode.INVALID_RECORD,
    );
  });
});

describe('patchBatch', () => {
  it('writes baseOffset and leader epoch in place and keeps the CRC valid', () => {
    const b = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    const crcBefore = b.readUInt32BE(CRC);
    const log = Buffer.concat([Buffer.alloc(7), b]);
    patchBatch(log, 7, 2 ** 40 + 5, 9);
    const h = readBatchHeader(log, 7);
    expect(h).toMatchObject({
      baseOffset: 2 ** 40 + 5,
      partitionLeaderEpoch: 9,
      crc: crcBefore,
      position: 7,
      lastOffset: 2 ** 40 + 6,
    });
    expect(verifyBatchCrc(log, 7)).toBe(true);
    expect(log.readBigInt64BE(7 + BASE_OFFSET)).toBe(2n ** 40n + 5n);
    expect(log.readInt32BE(7 + PARTITION_LEADER_EPOCH)).toBe(9);
    expect(validateBatches(log.subarray(7)).ok).toBe(true);
    expect(decodeRecordBatches(log.subarray(7)).map((r) => r.offset)).toEqual([2 ** 40 + 5, 2 ** 40 + 6]);
  });
});

describe('decodeRecordBatches', () => {
  it('ignores a partial trailing batch (fetch responses may end mid-batch)', () => {
    const a = encodeRecordBatch({ baseOffset: 0, records: [{ value: 'a' }] });
    const b = encodeRecordBatch({ baseOffset: 1, records: [{ value: 'b' }] });
    const buf = Buffer.concat([a, b]);
    for (const cut of [a.length, a.length + 5, a.length + 61, buf.length - 1]) {
      expect(decodeRecordBatches(buf.subarray(0, cut)).map((r) => str(r.value))).toEqual(['a']);
    }
    expect(decodeRecordBatches(Buffer.alloc(0))).toEqual([]);
  });
  it('skips control batches', () => {
    const ctrl = encodeRecordBatch({
      baseOffset: 0,
      records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0]) }],
    });
    ctrl.writeInt16BE(CONTROL_MASK | 0x10, ATTRIBUTES);
    recomputeBatchCrc(ctrl);
    const data = encodeRecordBatch({ baseOffset: 1, records: [{ value: 'd' }] });
    expect(decodeRecordBatches(Buffer.concat([ctrl, data])).map((r) => r.offset)).toEqual([1]);
  });
  it('uses maxTimestamp for LogAppendTime batches', () => {
    const b = encodeRecordBatch({ records: [{ value: 'a', timestamp: 1000 }] });
    b.writeInt16BE(0x08, ATTRIBUTES);
    b.writeBigInt64BE(5000n, 35);
    recomputeBatchCrc(b);
    expect(decodeRecordBatches(b)[0]!.timestamp).toBe(5000);
  });
  it('throws ProtocolError on a malformed records region', () => {
    const b = encodeRecordBatch({ records: [{ value: 'abc' }] });
    b.fill(0xff, RECORD_BATCH_OVERHEAD);
    expect(() => decodeRecordBatches(b)).toThrow(ProtocolError);
  });
  it('decodes a gzip batch built by hand', () => {
    const plain = encodeRecordBatch({ records: [{ value: 'hello' }] });
    const region = gzipSync(plain.subarray(RECORD_BATCH_OVERHEAD));
    const b = Buffer.concat([plain.subarray(0, RECORD_BATCH_OVERHEAD), region]);
    b.writeInt32BE(b.length - 12, 8);
    b.writeInt16BE(1, ATTRIBUTES);
    recomputeBatchCrc(b);
    expect(validateBatches(b).ok).toBe(true);
    expect(str(decodeRecordBatches(b)[0]!.value)).toBe('hello');
  });
});

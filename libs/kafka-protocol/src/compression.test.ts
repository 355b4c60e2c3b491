import { describe, expect, it } from 'vitest';
import { compressRecords, decompressRecords } from './compression.js';
import { Compression, decodeRecordBatches, encodeRecordBatch } from './record-batch.js';

const text = Buffer.from('hello kafka records '.repeat(20));
// made with the zstd 1.5 CLI (`zstd -q`) from `text`: a frame as the Java client's zstd-jni writes it
const ZSTD_FRAME = Buffer.from(
  '28b52ffd649000dd0000a068656c6c6f206b61666b61207265636f726473200100f24e9d4c5ac76221',
  'hex',
);

describe('record compression codecs', () => {
  it.each(['gzip', 'snappy', 'lz4'] as const)('%s round-trips', (name) => {
    const codec = Compression[name];
    const packed = compressRecords(codec, text);
    expect(packed.length).toBeLessThan(text.length);
    expect(decompressRecords(codec, packed).equals(text)).toBe(true);
  });

  it('reads xerial-framed snappy (the Java client) as well as raw snappy (librdkafka, kafkajs)', () => {
    const raw = compressRecords(Compression.snappy, text);
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const half = compressRecords(Compression.snappy, text.subarray(0, 100));
    const rest = compressRecords(Compression.snappy, text.subarray(100));
    const len = (b: Buffer) => {
      const l = Buffer.alloc(4);
      l.writeInt32BE(b.length);
      return l;
    };
    const framed = Buffer.concat([header, len(half), half, len(rest), rest]);
    expect(decompressRecords(Compression.snappy, framed).equals(text)).toBe(true);
    expect(decompressRecords(Compression.snappy, raw).equals(text)).toBe(true);
  });

  it('decompresses zstd frames', () => {
    expect(decompressRecords(Compression.zstd, ZSTD_FRAME).equals(text)).toBe(true);
  });

  it('garbage is a ProtocolError naming the codec, not a crash', () => {
    expect(() => decompressRecords(Compression.lz4, Buffer.from('not lz4 at all'))).toThrow(/lz4/);
    expect(() => decompressRecords(Compression.zstd, Buffer.from('not zstd'))).toThrow(/zstd/);
  });

  it.each(['snappy', 'lz4'] as const)(
    'a %s batch encodes and decodes with keys, values and timestamps',
    (name) => {
      const batch = encodeRecordBatch({
        compression: name,
        records: [
          { key: 'a', value: '1', timestamp: 1000 },
          { key: 'b', value: null, timestamp: 2000 },
        ],
      });
      const recs = decodeRecordBatches(batch);
      expect(
        recs.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null, r.timestamp]),
      ).toEqual([
        [0, 'a', '1', 1000],
        [1, 'b', null, 2000],
      ]);
      expect(recs[0]!.batch.compression).toBe(Compression[name]);
    },
  );
});

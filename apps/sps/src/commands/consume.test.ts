import { encodeRecordBatch } from '@orders/kafka-protocol';
import { describe, expect, it } from 'vitest';
import { negotiateVersions } from '../client/client.js';
import { formatRecord, nextOffsetAfterBatches, type ConsumedRecord } from './consume.js';

const record: ConsumedRecord = {
  topic: 'orders',
  partition: 3,
  offset: 41,
  timestamp: Date.UTC(2025, 0, 31, 10),
  key: 'c-1',
  value: '{"orderId":"o-1"}',
  headers: { 'schema-version': '1', traceparent: '00-abc' },
};

describe('consume: output', () => {
  it('text is the value alone by default', () => {
    expect(formatRecord(record, {})).toBe('{"orderId":"o-1"}');
  });

  it('text puts partition:offset, time, key and headers before the value, tab-separated', () => {
    expect(
      formatRecord(record, { printOffset: true, printKey: true, printHeaders: true, printTimestamp: true }),
    ).toBe(
      [
        '3:41',
        '2025-01-31T10:00:00.000Z',
        'c-1',
        'schema-version=1,traceparent=00-abc',
        '{"orderId":"o-1"}',
      ].join('\t'),
    );
    expect(formatRecord({ ...record, key: null, value: null }, { printKey: true })).toBe('\t');
  });

  it('json is one object per line with topic, partition, offset, timestamp, key, value, headers', () => {
    expect(JSON.parse(formatRecord(record, { format: 'json' }))).toEqual(record);
  });
});

describe('consume: reading batches', () => {
  it('moves past whole batches, ignoring a partial one at the end', () => {
    const a = encodeRecordBatch({ baseOffset: 10, records: [{ value: 'x' }, { value: 'y' }] });
    const b = encodeRecordBatch({ baseOffset: 12, records: [{ value: 'z' }] });
    expect(nextOffsetAfterBatches(Buffer.concat([a, b]))).toBe(13);
    expect(nextOffsetAfterBatches(Buffer.concat([a, b.subarray(0, b.length - 1)]))).toBe(12);
    expect(nextOffsetAfterBatches(a.subarray(0, 20))).toBeUndefined();
  });
});

describe('consume: protocol versions', () => {
  const api = (apiKey: number, minVersion: number, maxVersion: number) => ({
    apiKey,
    minVersion,
    maxVersion,
  });

  it('uses the highest version both sides speak', () => {
    expect(negotiateVersions([api(3, 0, 12), api(2, 1, 10), api(1, 4, 17), api(18, 0, 4)])).toEqual({
      Metadata: 6,
      ListOffsets: 3,
      Fetch: 11,
    });
    expect(negotiateVersions([api(3, 0, 1), api(2, 0, 1), api(1, 0, 4)])).toEqual({
      Metadata: 1,
      ListOffsets: 1,
      Fetch: 4,
    });
  });

  it('fails clearly when the broker lacks an API or a common version', () => {
    expect(() => negotiateVersions([api(3, 0, 6), api(2, 0, 3)], 'b:9092')).toThrow(
      'b:9092 does not support the Fetch API, which sps consume needs',
    );
    expect(() => negotiateVersions([api(3, 0, 6), api(2, 0, 3), api(1, 12, 17)], 'b:9092')).toThrow(
      'b:9092 supports Fetch v12-17, but sps consume speaks v4-11: no version in common',
    );
  });
});

/**
 * ListOffsets at every version clients send (v0–v10): the special timestamps -1…-5, exact lookups
 * by timestamp, and the record with the largest timestamp (-3), which librdkafka asks for at v3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKey,
  ATTRIBUTES,
  BATCH_LENGTH,
  CRC,
  Compression,
  ErrorCode,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  crc32c,
  encodeRecordBatch,
} from '@orders/kafka-protocol';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
let conn: RawConnection;
const T = 1_700_000_000_000;

beforeAll(async () => {
  broker = await startTestBroker();
  await broker.state.topics.create('times', 1);
  await broker.state.topics.create('empty', 1);
  conn = await RawConnection.connect(broker.port);
  // offsets 0..5; the largest timestamp (T+50) is first carried by offset 2, again by offset 4
  const batches = [
    [T + 10, T + 20],
    [T + 50, T + 30],
    [T + 50, T + 40],
  ];
  for (const ts of batches) {
    const res = await conn.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        {
          name: 'times',
          partitionData: [
            {
              index: 0,
              records: encodeRecordBatch({ records: ts.map((t) => ({ value: `v${t}`, timestamp: t })) }),
            },
          ],
        },
      ],
    });
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(0);
  }
});
afterAll(async () => {
  conn?.close();
  await broker?.destroy();
});

async function listOffset(version: number, topic: string, timestamp: number) {
  const res = await conn.request(ApiKey.ListOffsets, version, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }],
    timeoutMs: 1000,
  });
  return res.topics[0].partitions[0];
}

describe('ListOffsets', () => {
  it('-3 (max timestamp) answers the first record with the largest timestamp, at v3 and at v7–v10', async () => {
    for (const version of [3, 7, 8, 9, 10]) {
      const p = await listOffset(version, 'times', -3);
      expect({ version, errorCode: p.errorCode, offset: p.offset, timestamp: p.timestamp }).toEqual({
        version,
        errorCode: 0,
        offset: 2,
        timestamp: T + 50,
      });
    }
  });

  it('-3 on an empty partition answers offset -1, not 0', async () => {
    const p = await listOffset(7, 'empty', -3);
    expect([p.errorCode, p.offset, p.timestamp]).toEqual([0, -1, -1]);
  });

  it('-1 latest, -2 earliest, -4 earliest local, -5 latest tiered (none without tiered storage)', async () => {
    expect((await listOffset(9, 'times', -1)).offset).toBe(6);
    expect((await listOffset(9, 'times', -2)).offset).toBe(0);
    expect((await listOffset(9, 'times', -4)).offset).toBe(0);
    const tiered = await listOffset(9, 'times', -5);
    expect([tiered.errorCode, tiered.offset]).toEqual([0, -1]);
  });

  it('a timestamp finds the first record at or after it, inside a batch, at every version from 1', async () => {
    for (const version of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const p = await listOffset(version, 'times', T + 25);
      expect({ version, offset: p.offset, timestamp: p.timestamp }).toEqual({
        version,
        offset: 2,
        timestamp: T + 50,
      });
      const q = await listOffset(version, 'times', T + 35);
      expect({ version, offset: q.offset }).toEqual({ version, offset: 2 });
      if (version >= 4) expect(p.leaderEpoch).toBe(0);
    }
    expect((await listOffset(9, 'times', T + 15)).offset).toBe(1);
    expect((await listOffset(9, 'times', T + 51)).offset).toBe(-1);
  });

  it('v0 answers old-style offset lists', async () => {
    const res = await conn.request(ApiKey.ListOffsets, 0, {
      replicaId: -1,
      topics: [{ name: 'times', partitions: [{ partitionIndex: 0, timestamp: -1, maxNumOffsets: 1 }] }],
    });
    expect(res.topics[0].partitions[0].oldStyleOffsets).toEqual([6]);
  });

  it('an unknown topic is UNKNOWN_TOPIC_OR_PARTITION; an undefined negative timestamp is INVALID_REQUEST', async () => {
    expect((await listOffset(9, 'nope', -1)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await listOffset(9, 'times', -9)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

const P = 1_700_000_000_000;
const packedRecords = [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `v${i}`, timestamp: P + i * 100 }));
// the records region of `packedRecords`, compressed by the zstd 1.5 CLI (no pure-JS zstd compressor)
const ZSTD_REGION = Buffer.from(
  '28b52ffd242f79010014000000046b30047630001600c80102046b31047631001600900304046b32047632001600d80406046b3304763300eefc5c09',
  'hex',
);

/** `packedRecords` as one zstd batch: the uncompressed header with the region swapped and the CRC redone. */
function zstdBatch(): Buffer {
  const plain = encodeRecordBatch({ records: packedRecords });
  const batch = Buffer.concat([plain.subarray(0, RECORD_BATCH_OVERHEAD), ZSTD_REGION]);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  batch.writeInt16BE(batch.readInt16BE(ATTRIBUTES) | Compression.zstd, ATTRIBUTES);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES)), CRC);
  return batch;
}

describe('ListOffsets inside compressed batches', () => {
  it.each([
    ['gzip', () => encodeRecordBatch({ compression: 'gzip', records: packedRecords })],
    ['snappy', () => encodeRecordBatch({ compression: 'snappy', records: packedRecords })],
    ['lz4', () => encodeRecordBatch({ compression: 'lz4', records: packedRecords })],
    ['zstd', zstdBatch],
  ])('a timestamp inside a %s batch finds the exact record, not the batch start', async (codec, make) => {
    const topic = `packed-${codec}`;
    await broker.state.topics.create(topic, 1);
    const res = await conn.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: make() }] }],
    });
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(0);
    const p = await listOffset(9, topic, P + 150);
    expect([p.offset, p.timestamp]).toEqual([2, P + 200]);
    const max = await listOffset(9, topic, -3);
    expect([max.offset, max.timestamp]).toEqual([3, P + 300]);
  });
});

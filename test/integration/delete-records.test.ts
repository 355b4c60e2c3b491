/**
 * DeleteRecords (API 21), driven by kafkajs' admin.deleteTopicRecords (a client we did not write):
 * the log start offset moves, whole segments below it go, it survives a restart, and reads below it
 * get OFFSET_OUT_OF_RANGE.
 */
import { rm } from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const kafkaFor = (broker: TestBroker) =>
  new Kafka({ clientId: 'delete-records-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });

const segmentFiles = (dataDir: string, topic: string) =>
  fs.readdirSync(path.join(dataDir, 'logs', `${topic}-0`)).filter((n) => n.endsWith('.log'));

async function fetchAt(broker: TestBroker, topic: string, offset: number) {
  const conn = await RawConnection.connect(broker.port);
  try {
    const res = await conn.request(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: offset,
              logStartOffset: -1,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    return res.responses[0].partitions[0];
  } finally {
    conn.close();
  }
}

describe('DeleteRecords', () => {
  it('moves the low watermark, deletes whole segments below it and keeps it across a restart', async () => {
    const dataDir = await tempDir('sps-delrec-');
    dirs.push(dataDir);
    let broker = await startTestBroker({ dataDir, groups: { initialRebalanceDelayMs: 0 } });
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'purge', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }] },
      ],
    });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 40; i++)
      await producer.send({
        topic: 'purge',
        messages: [{ key: `k${i}`, value: `value-${i}-${'x'.repeat(100)}` }],
      });
    await producer.disconnect();
    const segmentsBefore = segmentFiles(dataDir, 'purge').length;
    expect(segmentsBefore).toBeGreaterThan(5);

    // kafkajs looks the leader up in metadata it already has: load the topic's first (as on Apache Kafka)
    await admin.fetchTopicMetadata({ topics: ['purge'] });
    await admin.deleteTopicRecords({ topic: 'purge', partitions: [{ partition: 0, offset: '25' }] });
    expect(await admin.fetchTopicOffsets('purge')).toEqual([
      { partition: 0, offset: '40', high: '40', low: '25' },
    ]);
    expect(segmentFiles(dataDir, 'purge').length).toBeLessThan(segmentsBefore);
    expect((await fetchAt(broker, 'purge', 24)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const atStart = await fetchAt(broker, 'purge', 25);
    expect([atStart.errorCode, atStart.logStartOffset]).toEqual([0, 25]);

    // a consumer from the beginning starts at the new low watermark
    const seen: number[] = [];
    const consumer = kafka.consumer({ groupId: 'after-purge' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'purge', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(Number(message.offset)) });
    await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(15);
    expect(seen[0]).toBe(25);
    await consumer.disconnect();
    await admin.disconnect();

    await broker.close();
    broker = await startTestBroker({ dataDir, groups: { initialRebalanceDelayMs: 0 } });
    try {
      const again = kafkaFor(broker).admin();
      await again.connect();
      await again.fetchTopicMetadata({ topics: ['purge'] });
      expect(await again.fetchTopicOffsets('purge')).toEqual([
        { partition: 0, offset: '40', high: '40', low: '25' },
      ]);
      // -1 = up to the high watermark
      await again.deleteTopicRecords({ topic: 'purge', partitions: [{ partition: 0, offset: '-1' }] });
      expect(await again.fetchTopicOffsets('purge')).toEqual([
        { partition: 0, offset: '40', high: '40', low: '40' },
      ]);
      await again.disconnect();
    } finally {
      await broker.close();
    }
  });

  it('answers OFFSET_OUT_OF_RANGE above the high watermark, UNKNOWN_TOPIC_OR_PARTITION for none, and never moves back', async () => {
    const broker = await startTestBroker();
    try {
      await broker.state.topics.create('small', 1);
      const producer = kafkaFor(broker).producer();
      await producer.connect();
      await producer.send({ topic: 'small', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      await producer.disconnect();
      const conn = await RawConnection.connect(broker.port);
      try {
        const del = (name: string, offset: number, version = 1) =>
          conn
            .request(ApiKey.DeleteRecords, version, {
              topics: [{ name, partitions: [{ partitionIndex: 0, offset }] }],
              timeoutMs: 5000,
            })
            .then((r) => r.topics[0].partitions[0]);
        expect(await del('small', 9)).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
        expect(await del('nope', 0)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        expect(await del('small', 2, 2)).toEqual({ partitionIndex: 0, lowWatermark: 2, errorCode: 0 });
        expect(await del('small', 1, 0)).toEqual({ partitionIndex: 0, lowWatermark: 2, errorCode: 0 });
      } finally {
        conn.close();
      }
    } finally {
      await broker.destroy();
    }
  });
});

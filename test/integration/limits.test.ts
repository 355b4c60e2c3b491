/**
 * Limits on topics and partitions: refused at once with INVALID_PARTITIONS naming the limit,
 * nothing half-created; auto-creation only when asked and bounded per request.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

let broker: TestBroker;
let conn: RawConnection;
beforeAll(async () => {
  broker = await startTestBroker({
    limits: { maxPartitionsPerTopic: 50, maxPartitionsPerRequest: 80, maxAutoCreatedTopicsPerRequest: 5 },
  });
  conn = await RawConnection.connect(broker.port);
});
afterAll(async () => {
  conn?.close();
  await broker?.destroy();
});

const folders = () => readdirSync(path.join(broker.dataDir, 'logs')).sort();

async function createTopics(topics: Array<{ name: string; partitions: number }>) {
  const res = await conn.request(ApiKey.CreateTopics, 4, {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.partitions,
      replicationFactor: 1,
      assignments: [],
      configs: [],
    })),
    timeoutMs: 5000,
    validateOnly: false,
  });
  return res.topics as Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

describe('partition limits', () => {
  it('answers 2^31-1 partitions at once with INVALID_PARTITIONS naming the limit, creating nothing', async () => {
    const [r] = await createTopics([{ name: 'huge', partitions: 2 ** 31 - 1 }]);
    expect(r).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS });
    expect(r!.errorMessage).toMatch(/at most 50 per topic.*--max-partitions-per-topic/);
    expect(folders().filter((f) => f.startsWith('huge'))).toEqual([]);
    expect(conn.closed).toBe(false);
  });

  it('bounds the partitions one request adds, topic by topic', async () => {
    const results = await createTopics([
      { name: 'first', partitions: 50 },
      { name: 'second', partitions: 50 },
      { name: 'small', partitions: 30 },
    ]);
    expect(results.map((r) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.NONE,
    ]);
    expect(results[1]!.errorMessage).toMatch(/at most 80 per request.*--max-partitions-per-request/);
    expect(broker.state.topics.get('second')).toBeUndefined();
    expect(folders().filter((f) => f.startsWith('second'))).toEqual([]);
  });

  it('CreatePartitions past the per-topic limit is refused and the topic keeps its partitions', async () => {
    const res = await conn.request(ApiKey.CreatePartitions, 1, {
      topics: [{ name: 'small', count: 2 ** 31 - 1, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(res.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS });
    expect(res.results[0].errorMessage).toMatch(/at most 50 per topic/);
    expect(broker.state.topics.get('small')!.partitions).toHaveLength(30);
  });

  it('kafkajs admin sees the refusal as an error, not a hang', async () => {
    const kafka = new Kafka({ clientId: 'limits', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expect(
        admin.createTopics({ topics: [{ topic: 'wide', numPartitions: 10_000 }] }),
      ).rejects.toThrow();
      expect(await admin.listTopics()).not.toContain('wide');
    } finally {
      await admin.disconnect();
    }
  });
});

describe('auto-creation', () => {
  const metadata = (names: string[], allowAutoTopicCreation: boolean) =>
    conn.request(ApiKey.Metadata, 4, { topics: names.map((name) => ({ name })), allowAutoTopicCreation });

  it('creates nothing when the request does not allow it', async () => {
    const res = await metadata(['not-asked'], false);
    expect(res.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(broker.state.topics.get('not-asked')).toBeUndefined();
  });

  it('creates at most the per-request limit; the rest are retriable and created by the next requests', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `auto-${i}`);
    let res = await metadata(names, true);
    const codes = res.topics.map((t: { errorCode: number }) => t.errorCode);
    expect(codes.filter((c: number) => c === ErrorCode.NONE)).toHaveLength(5);
    expect(codes.filter((c: number) => c === ErrorCode.LEADER_NOT_AVAILABLE)).toHaveLength(3);
    res = await metadata(names, true);
    expect(res.topics.every((t: { errorCode: number }) => t.errorCode === ErrorCode.NONE)).toBe(true);
  });
});

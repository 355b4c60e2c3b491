/**
 * DescribeProducers (61), DescribeTopicPartitions (75) and DescribeConfigs / IncrementalAlterConfigs
 * on groups (resource type 32): what `kafka-transactions describe-producers`, Kafka 4's
 * `kafka-topics --describe` and `kafka-configs --entity-type groups` ask. (The compat suite runs
 * those tools on both brokers; here the wire answers are checked without Java.)
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { RawConnection } from '../helpers/raw-client.js';

const GROUP = 32;

let broker: TestBroker;
let conn: RawConnection;
let kafka: Kafka;
beforeAll(async () => {
  broker = await startTestBroker();
  kafka = new Kafka({ clientId: 'describe-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  conn = await RawConnection.connect(broker.port);
});
afterAll(async () => {
  conn?.close();
  await broker?.destroy();
});

describe('ApiVersions', () => {
  it('advertises DescribeProducers v0 and DescribeTopicPartitions v0', async () => {
    const res = await conn.request(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1',
    });
    const keys = res.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
    expect(keys.find((k) => k.apiKey === 61)).toMatchObject({ minVersion: 0, maxVersion: 0 });
    expect(keys.find((k) => k.apiKey === 75)).toMatchObject({ minVersion: 0, maxVersion: 0 });
  });
});

describe('DescribeProducers', () => {
  it('lists the idempotent producers of a partition with epoch and last sequence', async () => {
    await broker.state.topics.create('producers-a', 2);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const before = Date.now();
    for (let i = 0; i < 3; i++)
      await producer.send({
        topic: 'producers-a',
        messages: [
          { value: `a${i}`, partition: 0 },
          { value: `b${i}`, partition: 0 },
        ],
      });
    await producer.disconnect();

    const res = await conn.request(ApiKey.DescribeProducers, 0, {
      topics: [{ name: 'producers-a', partitionIndexes: [0, 1] }],
    });
    const [p0, p1] = res.topics[0].partitions;
    expect(p0).toMatchObject({ partitionIndex: 0, errorCode: 0, errorMessage: null });
    expect(p0.activeProducers).toHaveLength(1);
    const state = p0.activeProducers[0];
    expect(state).toMatchObject({ producerEpoch: 0, lastSequence: 5, coordinatorEpoch: -1 });
    expect(Number(state.currentTxnStartOffset)).toBe(-1);
    expect(Number(state.producerId)).toBeGreaterThanOrEqual(0);
    expect(Number(state.lastTimestamp)).toBeGreaterThanOrEqual(before);
    expect(p1).toMatchObject({ partitionIndex: 1, errorCode: 0, activeProducers: [] });
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION per partition that does not exist', async () => {
    const res = await conn.request(ApiKey.DescribeProducers, 0, {
      topics: [
        { name: 'producers-a', partitionIndexes: [9] },
        { name: 'no-such-topic', partitionIndexes: [0] },
      ],
    });
    expect(
      res.topics.map((t: { partitions: Array<{ errorCode: number }> }) => t.partitions[0]!.errorCode),
    ).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });
});

describe('DescribeProducers after a restart', () => {
  it('reports the producer state rebuilt from the snapshot and log', async () => {
    const dataDir = await tempDir('sps-describe-producers-');
    const first = await startTestBroker({ dataDir });
    await first.state.topics.create('producers-restart', 1);
    const client = new Kafka({ clientId: 'restart', brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: 'producers-restart',
      messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
    });
    await producer.disconnect();
    await first.close();

    const second = await startTestBroker({ dataDir });
    const raw = await RawConnection.connect(second.port);
    try {
      const res = await raw.request(ApiKey.DescribeProducers, 0, {
        topics: [{ name: 'producers-restart', partitionIndexes: [0] }],
      });
      expect(res.topics[0].partitions[0].activeProducers).toEqual([
        expect.objectContaining({ producerEpoch: 0, lastSequence: 2, coordinatorEpoch: -1 }),
      ]);
    } finally {
      raw.close();
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('DescribeTopicPartitions', () => {
  type Answer = {
    topics: Array<{
      name: string;
      errorCode: number;
      topicId: string;
      partitions: Array<{ partitionIndex: number }>;
    }>;
    nextCursor: { topicName: string; partitionIndex: number } | null;
  };
  const ask = (body: object): Promise<Answer> => conn.request(ApiKey.DescribeTopicPartitions, 0, body);
  const pages = (a: Answer) =>
    a.topics.map((t) => `${t.name}:${t.partitions.map((p) => p.partitionIndex).join(',')}`);

  beforeAll(async () => {
    await broker.state.topics.create('dtp-b', 3);
    await broker.state.topics.create('dtp-a', 2);
    await broker.state.topics.create('dtp-c', 1);
  });

  it('describes the topics asked for in name order, with their ids; unknown names get UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const a = await ask({ topics: [{ name: 'dtp-b' }, { name: 'dtp-a' }, { name: 'dtp-zz' }] });
    expect(pages(a)).toEqual(['dtp-a:0,1', 'dtp-b:0,1,2', 'dtp-zz:']);
    expect(a.topics.map((t) => t.errorCode)).toEqual([0, 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const id = broker.state.topics.get('dtp-a')!.id.replace(/-/g, '');
    expect(Buffer.from(a.topics[0]!.topicId, 'base64url').toString('hex')).toBe(id);
    expect(a.topics[2]!.topicId).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(a.nextCursor).toBeNull();
    expect(broker.state.topics.get('dtp-zz')).toBeUndefined(); // never auto-creates
  });

  it('pages by response_partition_limit and continues from the cursor until next_cursor is null', async () => {
    const topics = [{ name: 'dtp-a' }, { name: 'dtp-b' }, { name: 'dtp-c' }];
    const seen: string[] = [];
    let cursor: Answer['nextCursor'] = null;
    const cursors: string[] = [];
    do {
      const a: Answer = await ask({ topics, responsePartitionLimit: 2, cursor });
      seen.push(...pages(a));
      cursor = a.nextCursor;
      if (cursor) cursors.push(`${cursor.topicName}/${cursor.partitionIndex}`);
    } while (cursor);
    // dtp-a ends exactly at the limit, so the next page starts at dtp-b partition 0
    expect(cursors).toEqual(['dtp-b/0', 'dtp-b/2']);
    expect(seen).toEqual(['dtp-a:0,1', 'dtp-b:0,1', 'dtp-b:2', 'dtp-c:0']);
  });

  it('an empty topic list means every topic', async () => {
    const a = await ask({ topics: [] });
    expect(a.topics.map((t) => t.name)).toEqual(expect.arrayContaining(['dtp-a', 'dtp-b', 'dtp-c']));
    const names = a.topics.map((t) => t.name);
    expect(names).toEqual([...names].sort());
  });

  it('refuses a cursor on a topic not asked for, or a negative partition, with INVALID_REQUEST', async () => {
    const off = await ask({ topics: [{ name: 'dtp-a' }], cursor: { topicName: 'dtp-c', partitionIndex: 0 } });
    expect(off.topics).toEqual([
      expect.objectContaining({ name: 'dtp-a', errorCode: ErrorCode.INVALID_REQUEST }),
    ]);
    const negative = await ask({
      topics: [{ name: 'dtp-a' }],
      cursor: { topicName: 'dtp-a', partitionIndex: -1 },
    });
    expect(negative.topics[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('group configs', () => {
  it('DescribeConfigs on a group reports Kafka 4.4 group configs at their defaults, with broker synonyms', async () => {
    const res = await conn.request(ApiKey.DescribeConfigs, 2, {
      resources: [{ resourceType: GROUP, resourceName: 'any-group', configurationKeys: null }],
      includeSynonyms: true,
    });
    const [r] = res.results;
    expect(r).toMatchObject({ errorCode: 0, resourceType: GROUP, resourceName: 'any-group' });
    const byName = new Map(r.configs.map((c: { name: string }) => [c.name, c] as const)) as Map<
      string,
      { value: string; configSource: number; synonyms: Array<{ name: string; value: string }> }
    >;
    expect(byName.get('consumer.session.timeout.ms')).toMatchObject({
      value: '45000',
      configSource: 5,
      synonyms: [{ name: 'group.consumer.session.timeout.ms', value: '45000', source: 5 }],
    });
    expect(byName.get('consumer.heartbeat.interval.ms')?.value).toBe('5000');
    expect(byName.get('streams.num.standby.replicas')?.value).toBe('0');
    expect(byName.size).toBe(21);
  });

  it('IncrementalAlterConfigs on a group: unknown names INVALID_CONFIG, changes refused at once with INVALID_REQUEST', async () => {
    const alter = (configs: object[]) =>
      conn.request(ApiKey.IncrementalAlterConfigs, 0, {
        resources: [{ resourceType: GROUP, resourceName: 'any-group', configs }],
        validateOnly: false,
      });
    const unknown = await alter([{ name: 'no.such.config', configOperation: 0, value: '1' }]);
    expect(unknown.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    const set = await alter([{ name: 'consumer.session.timeout.ms', configOperation: 0, value: '50000' }]);
    expect(set.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(set.responses[0].errorMessage).toMatch(/not changeable/);
    const del = await alter([{ name: 'consumer.session.timeout.ms', configOperation: 1, value: null }]);
    expect(del.responses[0]).toMatchObject({ errorCode: 0 });
  });
});

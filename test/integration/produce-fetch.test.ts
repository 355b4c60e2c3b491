/**
 * The broker's data path, driven by kafkajs 2.2.4 (a real client we did not write): producing with
 * keys and headers at every acks level, the idempotent producer, and reading it all back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read.js';

let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker({ defaultPartitions: 3 });
  kafka = new Kafka({
    clientId: 'produce-fetch-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
});
afterAll(async () => broker?.destroy());

describe('producing with kafkajs', () => {
  it('stores keyed records with headers in order, readable from offset 0', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const sent = await producer.send({
      topic: 'keyed',
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({
        key: `customer-${i % 3}`,
        value: JSON.stringify({ orderId: i }),
        headers: { 'schema-version': '1', traceparent: `00-${i}` },
      })),
    });
    expect(sent[0]).toMatchObject({ topicName: 'keyed', partition: 0, errorCode: 0, baseOffset: '0' });
    await producer.disconnect();

    const records = await readPartition(broker.port, 'keyed', 0);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(records[4]).toMatchObject({
      key: 'customer-1',
      value: '{"orderId":4}',
      headers: { 'schema-version': '1', traceparent: '00-4' },
    });
  });

  it.each([0, 1, -1])('acks=%i delivers every record', async (acks) => {
    const topic = `acks${acks === -1 ? 'all' : acks}`;
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    for (let i = 0; i < 5; i++)
      await producer.send({ topic, acks, messages: [{ key: null, value: `v${i}` }] });
    await producer.disconnect();
    // acks=0 gets no answer, so wait until the broker has appended everything.
    const readAll = async () =>
      (await Promise.all([0, 1, 2].map((p) => readPartition(broker.port, topic, p)))).flat();
    await expect.poll(async () => (await readAll()).length, { timeout: 5000 }).toBe(5);
    const all = await readAll();
    expect(all.map((r) => r.value).sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(all.every((r) => r.key === null)).toBe(true);
  });

  it('keeps gzip-compressed batches as sent and serves them back', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'gzipped',
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 50 }, (_, i) => ({ key: 'k', value: `compressed-${i}` })),
    });
    await producer.disconnect();
    const records = (
      await Promise.all([0, 1, 2].map((p) => readPartition(broker.port, 'gzipped', p)))
    ).flat();
    expect(records.map((r) => r.value)).toEqual(Array.from({ length: 50 }, (_, i) => `compressed-${i}`));
  });

  it('an idempotent producer stores each record once and in order', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: 'idempotent', acks: -1, messages: [{ key: 'same-key', value: `n${i}` }] });
    }
    await producer.disconnect();
    const records = (
      await Promise.all([0, 1, 2].map((p) => readPartition(broker.port, 'idempotent', p)))
    ).flat();
    expect(records.map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
  });
});

describe('admin with kafkajs', () => {
  it('creates, lists, grows, reconfigures and deletes topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({
          topics: [
            { topic: 'admin-t', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '60000' }] },
          ],
        }),
      ).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: 'admin-t', numPartitions: 2 }] })).toBe(false);
      expect(await admin.listTopics()).toContain('admin-t');

      await admin.createPartitions({ topicPartitions: [{ topic: 'admin-t', count: 4 }] });
      const meta = await admin.fetchTopicMetadata({ topics: ['admin-t'] });
      expect(meta.topics[0]!.partitions).toHaveLength(4);
      await expect(
        admin.createPartitions({ topicPartitions: [{ topic: 'admin-t', count: 3 }] }),
      ).rejects.toThrow(/partitions/i);

      const described = await admin.describeConfigs({
        resources: [{ type: 2, name: 'admin-t' }],
        includeSynonyms: false,
      });
      const retention = described.resources[0]!.configEntries.find((c) => c.configName === 'retention.ms');
      expect(retention).toMatchObject({ configValue: '60000', isDefault: false });

      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: 'admin-t', configEntries: [{ name: 'retention.ms', value: '120000' }] }],
      });
      const after = await admin.describeConfigs({
        resources: [{ type: 2, name: 'admin-t', configNames: ['retention.ms'] }],
        includeSynonyms: false,
      });
      expect(after.resources[0]!.configEntries[0]).toMatchObject({
        configName: 'retention.ms',
        configValue: '120000',
      });

      await expect(
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            { type: 2, name: 'admin-t', configEntries: [{ name: 'cleanup.policy', value: 'shred' }] },
          ],
        }),
      ).rejects.toThrow();

      await admin.deleteTopics({ topics: ['admin-t'] });
      expect(await admin.listTopics()).not.toContain('admin-t');
    } finally {
      await admin.disconnect();
    }
  });

  it('reports earliest and latest offsets, and offsets by timestamp', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'offsets', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const t0 = Date.now();
    await producer.send({
      topic: 'offsets',
      messages: [
        { value: 'a', timestamp: String(t0 - 10_000) },
        { value: 'b', timestamp: String(t0 - 10_000) },
      ],
    });
    await producer.send({ topic: 'offsets', messages: [{ value: 'c', timestamp: String(t0) }] });
    await producer.disconnect();
    try {
      expect(await admin.fetchTopicOffsets('offsets')).toEqual([
        { partition: 0, offset: '3', high: '3', low: '0' },
      ]);
      expect(await admin.fetchTopicOffsetsByTimestamp('offsets', t0 - 1000)).toEqual([
        { partition: 0, offset: '2' },
      ]);
      expect(await admin.fetchTopicOffsetsByTimestamp('offsets', t0 + 60_000)).toEqual([
        { partition: 0, offset: '3' },
      ]);
    } finally {
      await admin.disconnect();
    }
  });
});

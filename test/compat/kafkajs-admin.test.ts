/**
 * kafkajs 2.2.4 admin client: what an operator (or the sps console) does to topics. Apache Kafka's
 * answers are the reference; comments note what it answered when these tests were written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajsPkg, { type Admin, type Producer } from 'kafkajs';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';

const { ConfigResourceTypes } = kafkajsPkg;

describe('kafkajs admin', () => {
  let target: Target;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    target = await startTarget();
    admin = kafkajs(target).admin();
    await admin.connect();
    producer = kafkajs(target).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await target?.close();
  });

  const retentionOf = async (topic: string) => {
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatchObject({ errorCode: 0, resourceName: topic });
    return resources[0].configEntries.find((e) => e.configName === 'retention.ms');
  };

  it('createTopics with partitions and retention.ms; listTopics shows it; creating it again answers false', async () => {
    const topic = uniqueTopic('create');
    await expect(
      admin.createTopics({
        topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
      }),
    ).resolves.toBe(true);
    expect(await admin.listTopics()).toContain(topic);

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics).toHaveLength(1);
    expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);

    expect(await retentionOf(topic)).toMatchObject({
      configValue: '3600000',
      isDefault: false,
      readOnly: false,
    });

    // TOPIC_ALREADY_EXISTS (36) is reported by kafkajs as `false`, not as an error
    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).resolves.toBe(false);
  });

  it('createTopics rejects an invalid topic name with INVALID_TOPIC_EXCEPTION', async () => {
    await expect(
      admin.createTopics({ topics: [{ topic: 'not/valid', numPartitions: 1 }] }),
    ).rejects.toMatchObject({
      name: 'KafkaJSAggregateError',
      errors: [expect.objectContaining({ type: 'INVALID_TOPIC_EXCEPTION', code: 17, topic: 'not/valid' })],
    });
  });

  it('deleteTopics removes a topic from listTopics and metadata', async () => {
    const topic = uniqueTopic('delete');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    expect(await admin.listTopics()).toContain(topic);

    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    await expect(admin.fetchTopicMetadata({ topics: [topic] })).rejects.toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
  });

  it('createPartitions grows a topic; asking for fewer (or the same number) fails with INVALID_PARTITIONS', async () => {
    const topic = uniqueTopic('partitions');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });

    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] }); // count is the new total
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);

    for (const count of [2, 5]) {
      const error = await admin.createPartitions({ topicPartitions: [{ topic, count }] }).then(
        () => undefined,
        (e: unknown) => e as { type?: string; code?: number; message: string },
      );
      expect(error, `createPartitions to ${count} should fail`).toBeDefined();
      expect(error).toMatchObject({ type: 'INVALID_PARTITIONS', code: 37 });
      expect(error!.message).toMatch(/number of partitions/i);
    }
    // and the topic is unchanged
    const after = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(after.topics[0].partitions).toHaveLength(5);
  });

  it('describeConfigs / alterConfigs of retention.ms: the new value is what describe then shows', async () => {
    const topic = uniqueTopic('configs');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });

    // Not set on the topic: the broker default of 7 days, flagged as a default
    expect(await retentionOf(topic)).toMatchObject({
      configName: 'retention.ms',
      configValue: '604800000',
      isDefault: true,
      readOnly: false,
      isSensitive: false,
    });

    const altered = await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'retention.ms', value: '86400000' }],
        },
      ],
    });
    expect(altered.resources).toEqual([expect.objectContaining({ errorCode: 0, resourceName: topic })]);

    expect(await retentionOf(topic)).toMatchObject({ configValue: '86400000', isDefault: false });

    // A value that is not a number is refused and changes nothing
    await expect(
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: [{ name: 'retention.ms', value: 'a week' }],
          },
        ],
      }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    expect(await retentionOf(topic)).toMatchObject({ configValue: '86400000' });
  });

  it('describeConfigs without names lists the topic configs a user expects', async () => {
    const topic = uniqueTopic('allconfigs');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms: false,
    });
    const names = resources[0].configEntries.map((e) => e.configName);
    expect(names).toEqual(
      expect.arrayContaining(['retention.ms', 'retention.bytes', 'cleanup.policy', 'segment.bytes']),
    );
    expect(resources[0].configEntries.find((e) => e.configName === 'cleanup.policy')).toMatchObject({
      configValue: 'delete',
    });
  });

  it('fetchTopicOffsets gives low and high watermarks per partition', async () => {
    const topic = uniqueTopic('offsets');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    expect(sortByPartition(await admin.fetchTopicOffsets(topic))).toEqual([
      { partition: 0, offset: '0', high: '0', low: '0' },
      { partition: 1, offset: '0', high: '0', low: '0' },
    ]);

    await producer.send({
      topic,
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 0 },
        { value: 'c', partition: 0 },
        { value: 'd', partition: 1 },
      ],
    });
    expect(sortByPartition(await admin.fetchTopicOffsets(topic))).toEqual([
      { partition: 0, offset: '3', high: '3', low: '0' },
      { partition: 1, offset: '1', high: '1', low: '0' },
    ]);
  });

  it('fetchTopicOffsetsByTimestamp finds the first offset at or after a time', async () => {
    const topic = uniqueTopic('bytime');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const now = Date.now();
    await producer.send({
      topic,
      messages: [
        { value: 'old', partition: 0, timestamp: String(now - 60_000) },
        { value: 'middle', partition: 0, timestamp: String(now - 30_000) },
        { value: 'new', partition: 0, timestamp: String(now) },
      ],
    });

    expect(sortByPartition(await admin.fetchTopicOffsetsByTimestamp(topic, now - 45_000))).toEqual([
      { partition: 0, offset: '1' },
      { partition: 1, offset: '0' }, // empty partition
    ]);
    expect(sortByPartition(await admin.fetchTopicOffsetsByTimestamp(topic, now - 120_000))).toEqual([
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ]);
    // After the newest record the broker answers -1, which kafkajs replaces with the high watermark
    expect(sortByPartition(await admin.fetchTopicOffsetsByTimestamp(topic, now + 60_000))).toEqual([
      { partition: 0, offset: '3' },
      { partition: 1, offset: '0' },
    ]);
  });

  it('fetchTopicMetadata names leader, replicas and ISR of every partition', async () => {
    const topic = uniqueTopic('metadata');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics).toHaveLength(1);
    expect(topics[0].name).toBe(topic);
    const partitions = [...topics[0].partitions].sort((a, b) => a.partitionId - b.partitionId);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    const nodeId = cluster.brokers[0].nodeId;
    expect(cluster.controller).toBe(nodeId);
    expect(partitions).toEqual(
      [0, 1, 2].map((partitionId) =>
        expect.objectContaining({
          partitionErrorCode: 0,
          partitionId,
          leader: nodeId,
          replicas: [nodeId],
          isr: [nodeId],
        }),
      ),
    );
  });
});

function sortByPartition<T extends { partition: number }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.partition - b.partition);
}

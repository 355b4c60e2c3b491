/**
 * kafkajs 2.2.4 (the client inside the apps) producing: keys, headers, every acks level, the idempotent
 * producer. Records are read back without consumer groups (kcat -C -o beginning -e), so what the
 * producer was told matches what is really in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Producer } from 'kafkajs';
import { kcatConsume } from './helpers/kcat.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, requireTool } from './helpers/tools.js';

describe.skipIf(missing('kcat'))('kafkajs producer', () => {
  let target: Target;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    requireTool('kcat');
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

  async function topicWith(partitions: number, prefix: string): Promise<string> {
    const topic = uniqueTopic(prefix);
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
    return topic;
  }

  it('sends keyed records with headers; each lands, in order, with its key, value and headers', async () => {
    const topic = await topicWith(1, 'keys');
    const messages = Array.from({ length: 5 }, (_, i) => ({
      key: `customer-${i % 2}`,
      value: `order-${i}`,
      headers: { 'schema-version': '1', seq: String(i) },
    }));
    const result = await producer.send({ topic, messages });

    expect(result).toEqual([
      expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0, baseOffset: '0' }),
    ]);
    const records = await kcatConsume(target.bootstrap, topic);
    expect(records).toEqual(
      messages.map((m, i) => ({
        key: m.key,
        value: m.value,
        headers: `schema-version=1,seq=${i}`,
        partition: 0,
        offset: i,
      })),
    );
  });

  it('the same key always goes to the same partition', async () => {
    const topic = await topicWith(3, 'partitioning');
    const keys = ['alice', 'bob', 'carol', 'dave'];
    await producer.send({
      topic,
      messages: keys.flatMap((k) => [1, 2, 3].map((n) => ({ key: k, value: `${k}-${n}` }))),
    });

    const records = await kcatConsume(target.bootstrap, topic);
    expect(records).toHaveLength(12);
    for (const k of keys) {
      const mine = records.filter((r) => r.key === k);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => r.value)).toEqual([`${k}-1`, `${k}-2`, `${k}-3`]);
    }
  });

  it.each([
    { acks: 0, what: 'fire and forget' },
    { acks: 1, what: 'leader ack' },
    { acks: -1, what: 'all in-sync replicas' },
  ])('acks=$acks ($what): every record is stored', async ({ acks }) => {
    const topic = await topicWith(1, `acks${acks}`);
    const result = await producer.send({
      topic,
      acks,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    if (acks === 0) {
      expect(result).toEqual([]); // no response is expected for acks=0
    } else {
      expect(result).toEqual([
        expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0, baseOffset: '0' }),
      ]);
    }
    const records = await kcatConsume(target.bootstrap, topic);
    expect(records.map((r) => `${r.key}=${r.value}@${r.offset}`)).toEqual(
      Array.from({ length: 10 }, (_, i) => `k${i}=v${i}@${i}`),
    );
  });

  it('the idempotent producer (maxInFlightRequests 1) gets a producer id and stores each record once', async () => {
    const topic = await topicWith(2, 'idempotent');
    const idempotent = kafkajs(target).producer({ idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    try {
      const sent: string[] = [];
      for (let batch = 0; batch < 5; batch++) {
        const messages = Array.from({ length: 20 }, (_, i) => ({
          key: `k${i % 4}`,
          value: `b${batch}-m${i}`,
          headers: { batch: String(batch) },
        }));
        const result = await idempotent.send({ topic, acks: -1, messages });
        expect(result.every((r) => r.errorCode === 0)).toBe(true);
        sent.push(...messages.map((m) => m.value));
      }
      const records = await kcatConsume(target.bootstrap, topic);
      expect(records.map((r) => r.value).sort()).toEqual([...sent].sort());
      // within a partition, records keep the order they were sent in
      for (const p of [0, 1]) {
        const values = records.filter((r) => r.partition === p).map((r) => r.value);
        expect(values).toEqual(sent.filter((v) => values.includes(v)));
        expect(records.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(
          values.map((_, i) => i),
        );
      }
    } finally {
      await idempotent.disconnect();
    }
  });

  it('a producer may write to a topic that does not exist yet (auto-creation)', async () => {
    const topic = uniqueTopic('auto');
    await producer.send({ topic, messages: [{ key: 'k', value: 'first' }] });
    const records = await kcatConsume(target.bootstrap, topic);
    expect(records.map((r) => `${r.key}|${r.value}`)).toEqual(['k|first']);
  });
});

/**
 * The Java clients (kafka-clients 4.x, the reference implementation): the idempotent producer as
 * Java applications run it by default, and a group-less consumer (assign + seekToBeginning).
 * Also: records cross between clients unchanged (kafkajs -> Java, Java -> kcat).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { compileJava, jsonLines, runJava } from './helpers/java.js';
import { kcatConsume } from './helpers/kcat.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, requireTool } from './helpers/tools.js';

interface Ack {
  i: number;
  key: string;
  partition: number;
  offset: number;
}
interface JavaRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

describe.skipIf(missing('java'))('Java clients', () => {
  let target: Target;
  let admin: Admin;

  beforeAll(async () => {
    requireTool('java');
    await compileJava();
    target = await startTarget();
    admin = kafkajs(target).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await target?.close();
  });

  async function produceJava(topic: string, count: number, prefix = 'java'): Promise<Ack[]> {
    const r = await runJava('IdempotentProducer', [target.bootstrap, topic, String(count), prefix]);
    expect(r.code, `IdempotentProducer failed:\n${r.stderr}`).toBe(0);
    return jsonLines<Ack>(r.stdout);
  }

  async function consumeJava(topic: string, count: number): Promise<JavaRecord[]> {
    const r = await runJava('AssignConsumer', [target.bootstrap, topic, String(count), '30000']);
    expect(r.code, `AssignConsumer failed:\n${r.stderr}`).toBe(0);
    return jsonLines<JavaRecord>(r.stdout);
  }

  it('IdempotentProducer (acks=all) sends 1000 records; AssignConsumer reads all 1000, in order per partition, headers intact', async () => {
    const topic = uniqueTopic('java1000');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });

    const acks = await produceJava(topic, 1000);
    expect(acks).toHaveLength(1000);
    const records = await consumeJava(topic, 1000);
    expect(records).toHaveLength(1000);

    // what the producer was told is exactly what the consumer finds there
    const byPosition = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r]));
    for (const ack of acks) {
      const r = byPosition.get(`${ack.partition}/${ack.offset}`);
      expect(r, `record ${ack.i} acknowledged at ${ack.partition}/${ack.offset}`).toBeDefined();
      expect(r).toMatchObject({
        key: ack.key,
        value: `java-value-${ack.i}`,
        headers: [
          ['seq', String(ack.i)],
          ['client', 'java'],
        ],
      });
    }
    // per partition: offsets 0..n-1 without gaps, in the order the records were sent
    for (const p of [0, 1, 2]) {
      const mine = records.filter((r) => r.partition === p);
      expect(mine.map((r) => r.offset)).toEqual(mine.map((_, i) => i));
      const seqs = mine.map((r) => Number(r.headers[0][1]));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // one key, one partition
    for (let k = 0; k < 7; k++) {
      expect(new Set(records.filter((r) => r.key === `java-key-${k}`).map((r) => r.partition)).size).toBe(1);
    }
  });

  it('a record produced by kafkajs is read by the Java consumer unchanged', async () => {
    const topic = uniqueTopic('kafkajs2java');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = kafkajs(target).producer();
    await producer.connect();
    const timestamp = Date.now() - 1000;
    try {
      await producer.send({
        topic,
        messages: [
          {
            key: 'cust-1',
            value: '{"orderId":"o-1","totalCents":1999}',
            headers: { 'schema-version': '1' },
            timestamp: String(timestamp),
          },
          { key: null, value: 'no key', headers: { a: 'x', b: 'y' } },
          { key: 'tombstone', value: null },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    const records = await consumeJava(topic, 3);
    expect(records).toEqual([
      {
        partition: 0,
        offset: 0,
        timestamp,
        key: 'cust-1',
        value: '{"orderId":"o-1","totalCents":1999}',
        headers: [['schema-version', '1']],
      },
      expect.objectContaining({
        offset: 1,
        key: null,
        value: 'no key',
        headers: [
          ['a', 'x'],
          ['b', 'y'],
        ],
      }),
      expect.objectContaining({ offset: 2, key: 'tombstone', value: null, headers: [] }),
    ]);
  });

  it.skipIf(missing('kcat'))('records produced by the Java producer are read by kcat unchanged', async () => {
    const topic = uniqueTopic('java2kcat');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await produceJava(topic, 10, 'j');
    const records = await kcatConsume(target.bootstrap, topic);
    expect(records).toEqual(
      Array.from({ length: 10 }, (_, i) => ({
        key: `j-key-${i % 7}`,
        value: `j-value-${i}`,
        headers: `seq=${i},client=java`,
        partition: 0,
        offset: i,
      })),
    );
  });
});

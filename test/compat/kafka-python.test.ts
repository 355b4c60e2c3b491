/**
 * kafka-python from PyPI, the newest release (negotiates versions via ApiVersions) and 2.0.2 (probes
 * ApiVersions v0 + a pipelined Metadata v0, infers a broker release from the advertised ranges, then
 * sends fixed versions; checks CRCs when consuming). Records cross between kafka-python, the Java
 * consumer and kafkajs unchanged; a kafka-python consumer group commits its offsets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { compileJava, jsonLines, runJava } from './helpers/java.js';
import {
  kafkaPythonVenv,
  kafkaPythonVersions,
  pythonMissing,
  requirePython,
  runPython,
  type KafkaPythonVersion,
} from './helpers/python.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing } from './helpers/tools.js';

type Headers = [string, string | null][];
interface Ack {
  key: string;
  partition: number;
  offset: number;
}
interface ConsumedRecord {
  key: string | null;
  value: string | null;
  headers: Headers;
  partition: number;
  offset: number;
}

describe.skipIf(pythonMissing()).each(kafkaPythonVersions)(
  'kafka-python %s',
  (version: KafkaPythonVersion) => {
    let target: Target;
    let admin: Admin;

    beforeAll(async () => {
      requirePython();
      await kafkaPythonVenv(version); // the first run creates the venv (pip install from PyPI)
      target = await startTarget();
      admin = kafkajs(target).admin();
      await admin.connect();
    });

    afterAll(async () => {
      await admin?.disconnect();
      await target?.close();
    });

    async function producePython(
      topic: string,
      records: { key: string; value: string; headers: [string, string][] }[],
    ): Promise<Ack[]> {
      const r = await runPython(version, 'produce.py', ['--bootstrap', target.bootstrap, '--topic', topic], {
        input: records.map((rec) => JSON.stringify(rec)).join('\n') + '\n',
      });
      expect(r.code, `produce.py failed:\n${r.stderr}`).toBe(0);
      return jsonLines<Ack>(r.stdout);
    }

    async function groupConsumePython(
      topic: string,
      group: string,
      count: number,
      timeoutMs = 30_000,
    ): Promise<ConsumedRecord[]> {
      const r = await runPython(version, 'group_consume.py', [
        '--bootstrap',
        target.bootstrap,
        '--topic',
        topic,
        '--group',
        group,
        '--count',
        String(count),
        '--timeout-ms',
        String(timeoutMs),
      ]);
      expect(r.code, `group_consume.py failed:\n${r.stderr}`).toBe(0);
      return jsonLines<ConsumedRecord>(r.stdout);
    }

    it.skipIf(missing('java'))(
      'KafkaProducer (acks=all) sends 200 records with keys and headers; the Java consumer reads them intact',
      async () => {
        await compileJava();
        const topic = uniqueTopic('kpy2java');
        await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
        const sent = Array.from({ length: 200 }, (_, i) => ({
          key: `customer-${i % 7}`,
          value: `order ${i} {"total":${i * 100},"note":"grüße"}`,
          headers: [
            ['seq', String(i)],
            ['client', 'kafka-python'],
          ] as [string, string][],
        }));

        const acks = await producePython(topic, sent);
        expect(acks).toHaveLength(200);

        const r = await runJava('AssignConsumer', [target.bootstrap, topic, '200', '30000']);
        expect(r.code, `AssignConsumer failed:\n${r.stderr}`).toBe(0);
        const records = jsonLines<ConsumedRecord>(r.stdout);
        expect(records).toHaveLength(200);

        // what kafka-python was told is exactly what the Java consumer finds there
        const byPosition = new Map(records.map((rec) => [`${rec.partition}/${rec.offset}`, rec]));
        acks.forEach((ack, i) => {
          expect(ack.key).toBe(sent[i].key);
          expect(byPosition.get(`${ack.partition}/${ack.offset}`), `record ${i}`).toMatchObject(sent[i]);
        });
        // per partition: offsets 0..n-1 without gaps, in the order the records were sent
        for (const p of [0, 1, 2]) {
          const mine = records.filter((rec) => rec.partition === p);
          expect(mine.map((rec) => rec.offset)).toEqual(mine.map((_, i) => i));
          const seqs = mine.map((rec) => Number(rec.headers[0][1]));
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        }
        // one key, one partition
        for (let k = 0; k < 7; k++) {
          const partitions = records.filter((rec) => rec.key === `customer-${k}`).map((rec) => rec.partition);
          expect(new Set(partitions).size).toBe(1);
        }
      },
    );

    it('kafkajs produces 200 records; a kafka-python group reads them all, commits, and a rerun reads only new ones', async () => {
      const topic = uniqueTopic('kafkajs2kpy');
      const group = `${topic}-group`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
      const producer = kafkajs(target).producer();
      await producer.connect();
      const message = (i: number) => ({
        key: `customer-${i % 5}`,
        value: `order ${i}`,
        headers: { seq: String(i), client: 'kafkajs' },
      });
      try {
        await producer.send({ topic, acks: -1, messages: Array.from({ length: 200 }, (_, i) => message(i)) });

        const first = await groupConsumePython(topic, group, 200);
        expect(first).toHaveLength(200);
        const expected = (i: number): Partial<ConsumedRecord> => ({
          key: `customer-${i % 5}`,
          value: `order ${i}`,
          headers: [
            ['seq', String(i)],
            ['client', 'kafkajs'],
          ],
        });
        const bySeq = new Map(first.map((rec) => [Number(rec.headers[0][1]), rec]));
        for (let i = 0; i < 200; i++) expect(bySeq.get(i), `record ${i}`).toMatchObject(expected(i));
        for (const p of [0, 1, 2]) {
          const mine = first.filter((rec) => rec.partition === p);
          expect(mine.map((rec) => rec.offset)).toEqual(mine.map((_, i) => i));
        }

        // The same group again: the committed offsets hold, so only records sent since are read.
        await producer.send({ topic, acks: -1, messages: [200, 201, 202].map(message) });
        const second = await groupConsumePython(topic, group, 3);
        expect(second.map((rec) => rec.value).sort()).toEqual(['order 200', 'order 201', 'order 202']);
        for (const rec of second) expect(rec).toMatchObject(expected(Number(rec.headers[0][1])));

        // and kafka-python's commit is what the broker reports for the group
        const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
        expect(committed).toBe(203);
      } finally {
        await producer.disconnect();
      }
    });
  },
);

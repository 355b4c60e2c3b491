/**
 * kcat (librdkafka 2.0, Debian's package): the tool people reach for first. Metadata listing,
 * producing with keys and headers, and reading back from the beginning without a group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { kcatConsume, kcatList, kcatProduce } from './helpers/kcat.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, requireTool } from './helpers/tools.js';

describe.skipIf(missing('kcat'))('kcat', () => {
  let target: Target;
  let admin: Admin;

  beforeAll(async () => {
    requireTool('kcat');
    target = await startTarget();
    admin = kafkajs(target).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await target?.close();
  });

  it('-L lists the broker, the topics and their partitions with leaders', async () => {
    const topic = uniqueTopic('list');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const [host, port] = target.bootstrap.split(':');

    const all = await kcatList(target.bootstrap);
    expect(all).toMatch(/^ 1 brokers:$/m);
    expect(all).toMatch(new RegExp(`broker \\d+ at ${host}:${port}`));
    expect(all).toContain(`topic "${topic}" with 3 partitions:`);

    const one = await kcatList(target.bootstrap, ['-t', topic]);
    expect(one).toMatch(/ 1 topics:/);
    for (const p of [0, 1, 2])
      expect(one).toMatch(new RegExp(`partition ${p}, leader \\d+, replicas: \\d+, isrs: \\d+`));
  });

  it('-L -J gives the same metadata as JSON', async () => {
    const topic = uniqueTopic('listjson');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const json = JSON.parse(await kcatList(target.bootstrap, ['-J', '-t', topic])) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    expect(json.brokers).toEqual([expect.objectContaining({ name: target.bootstrap })]);
    expect(json.topics).toHaveLength(1);
    expect(json.topics[0].topic).toBe(topic);
    expect(json.topics[0].partitions.map((p) => p.partition).sort()).toEqual([0, 1]);
    expect(json.topics[0].partitions.every((p) => p.leader === json.brokers[0].id)).toBe(true);
  });

  it('-P with keys (-K:) and headers (-H) is read back exactly by -C -o beginning -e', async () => {
    const topic = uniqueTopic('roundtrip');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const lines = Array.from({ length: 20 }, (_, i) => `customer-${i % 3}:order ${i} {"total":${i * 100}}`);
    await kcatProduce(target.bootstrap, topic, lines, [
      '-H',
      'schema-version=1',
      '-H',
      'traceparent=00-abc-def-01',
    ]);

    const records = await kcatConsume(target.bootstrap, topic);
    expect(records).toEqual(
      lines.map((line, i) => ({
        key: line.slice(0, line.indexOf(':')),
        value: line.slice(line.indexOf(':') + 1),
        headers: 'schema-version=1,traceparent=00-abc-def-01',
        partition: 0,
        offset: i,
      })),
    );
  });

  it('keyed records keep their order per key across partitions; -p reads one partition', async () => {
    const topic = uniqueTopic('keyed');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const lines = Array.from({ length: 30 }, (_, i) => `k${i % 5}:v${i}`);
    await kcatProduce(target.bootstrap, topic, lines);

    const records = await kcatConsume(target.bootstrap, topic);
    expect(records).toHaveLength(30);
    for (let k = 0; k < 5; k++) {
      const mine = records.filter((r) => r.key === `k${k}`);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => r.value)).toEqual(
        lines.filter((l) => l.startsWith(`k${k}:`)).map((l) => l.slice(3)),
      );
    }
    const p0 = await kcatConsume(target.bootstrap, topic, ['-p', '0']);
    expect(p0).toEqual(records.filter((r) => r.partition === 0));
    expect(p0.map((r) => r.offset)).toEqual(p0.map((_, i) => i));
  });

  it('-o <offset> starts in the middle of a partition', async () => {
    const topic = uniqueTopic('offset');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await kcatProduce(target.bootstrap, topic, ['a:1', 'b:2', 'c:3', 'd:4']);
    const out = await kcatConsume(target.bootstrap, topic, ['-p', '0', '-o', '2']);
    expect(out.map((r) => `${r.key}:${r.value}@${r.offset}`)).toEqual(['c:3@2', 'd:4@3']);
  });

  it('-C -e reads a compacted topic (cleanup.policy=compact): the latest value per key, offsets with gaps', async () => {
    const topic = uniqueTopic('compacted');
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.ms', value: '100' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          ],
        },
      ],
    });
    const rounds = 6;
    const keys = 8;
    // one round per segment: segment.ms rolls the active segment at the next append
    for (let v = 0; v < rounds; v++) {
      await kcatProduce(
        target.bootstrap,
        topic,
        Array.from({ length: keys }, (_, k) => `k${k}:v${v}`),
      );
      await new Promise((r) => setTimeout(r, 200));
    }
    const produced = rounds * keys;
    // both brokers clean in the background (Apache Kafka: log.cleaner.backoff.ms, 15 s by default)
    let records = await kcatConsume(target.bootstrap, topic);
    const deadline = Date.now() + 90_000;
    while (records.length >= produced - keys && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      records = await kcatConsume(target.bootstrap, topic);
    }
    expect(records.length).toBeLessThan(produced - keys);
    const replayed = new Map(records.map((r) => [r.key, r.value]));
    expect(Object.fromEntries(replayed)).toEqual(
      Object.fromEntries(Array.from({ length: keys }, (_, k) => [`k${k}`, `v${rounds - 1}`])),
    );
    const offsets = records.map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets.at(-1)).toBe(produced - 1);
  }, 120_000);
});

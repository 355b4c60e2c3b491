/**
 * Log compaction with a real client: a topic with cleanup.policy=compact keeps the latest value per
 * key (and tombstones until delete.retention.ms), while the broker runs its cleaner on the retention
 * tick. Consumers reading from the beginning see the compacted log; offsets keep their gaps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read.js';

let broker: TestBroker;
let kafka: Kafka;
beforeAll(async () => {
  broker = await startTestBroker({ retentionCheckIntervalMs: 200 });
  kafka = new Kafka({ clientId: 'compaction-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
afterAll(async () => broker?.destroy());

const KEYS = 20;
const VERSIONS = 10;

describe('log compaction (cleanup.policy=compact)', () => {
  it('keeps the latest value per key and the tombstones, with gaps a consumer reads across', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic: 'kv',
            numPartitions: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'segment.bytes', value: '2048' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            ],
          },
        ],
      });
      const described = await admin.describeConfigs({
        resources: [{ type: 2, name: 'kv', configNames: ['cleanup.policy', 'delete.retention.ms'] }],
        includeSynonyms: false,
      });
      expect(
        Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue])),
      ).toEqual({ 'cleanup.policy': 'compact', 'delete.retention.ms': '86400000' });

      const latest = new Map<string, string | null>();
      for (let v = 0; v < VERSIONS; v++) {
        const messages = [];
        for (let k = 0; k < KEYS; k++) {
          const deleted = v === VERSIONS - 1 && k < 3; // the last version of keys 0-2 is a tombstone
          const value = deleted ? null : `key-${k}-v${v}-${'x'.repeat(40)}`;
          messages.push({ key: `key-${k}`, value });
          latest.set(`key-${k}`, value);
        }
        await producer.send({ topic: 'kv', messages });
      }
      const produced = KEYS * VERSIONS;
      const log = broker.state.topics.partition('kv', 0)!;
      expect(log.segmentCount).toBeGreaterThan(3);
      // the cleaner rewrites the closed segments on its own
      await expect
        .poll(async () => (await readPartition(broker.port, 'kv', 0, 0)).length, { timeout: 20_000 })
        .toBeLessThan(produced / 2);

      // a consumer from the beginning sees the latest value per key (the active segment is not compacted)
      const seen: Array<{ offset: number; key: string; value: string | null }> = [];
      const consumer = kafka.consumer({ groupId: 'kv-reader' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'kv', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({
            offset: Number(message.offset),
            key: message.key!.toString(),
            value: message.value?.toString() ?? null,
          });
        },
      });
      await expect.poll(() => seen.at(-1)?.offset, { timeout: 20_000 }).toBe(produced - 1);
      await consumer.disconnect();
      const replayed = new Map<string, string | null>();
      for (const r of seen) replayed.set(r.key, r.value);
      expect(replayed).toEqual(latest);
      expect(seen.length).toBeLessThan(produced / 2);
      expect(seen.filter((r) => r.value === null).map((r) => r.key)).toEqual(['key-0', 'key-1', 'key-2']);
      const offsets = seen.map((r) => r.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(offsets[0]).toBeGreaterThan(0); // offset 0 was compacted away...
      // ...and a fetch from it returns the next batch still there, not OFFSET_OUT_OF_RANGE
      const fromZero = await readPartition(broker.port, 'kv', 0, 0);
      expect(fromZero[0]!.offset).toBe(offsets[0]);
      expect((await admin.fetchTopicOffsets('kv'))[0]).toMatchObject({ low: '0', high: String(produced) });

      // as Kafka: a compacted topic refuses records without a key
      await expect(producer.send({ topic: 'kv', messages: [{ value: 'no key' }] })).rejects.toThrow(
        /failed the validation/, // kafkajs words INVALID_RECORD (87) so
      );
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('validates the compaction configs as Kafka does', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const create = (configEntries: Array<{ name: string; value: string }>) =>
        admin.createTopics({ topics: [{ topic: `c-${Math.random()}`, configEntries }] });
      await expect(create([{ name: 'cleanup.policy', value: 'compact,delete' }])).resolves.toBe(true);
      await expect(create([{ name: 'cleanup.policy', value: 'shred' }])).rejects.toThrow();
      await expect(create([{ name: 'min.cleanable.dirty.ratio', value: '1.5' }])).rejects.toThrow();
      await expect(create([{ name: 'delete.retention.ms', value: '-1' }])).rejects.toThrow();
      await expect(
        create([
          { name: 'min.compaction.lag.ms', value: '5000' },
          { name: 'max.compaction.lag.ms', value: '1000' },
        ]),
      ).rejects.toThrow();
    } finally {
      await admin.disconnect();
    }
  });
});

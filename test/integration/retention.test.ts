/**
 * Retention, the seed's TTL: with a short retention.ms, old segments are deleted while the broker
 * runs, the log start offset advances, and a fetch below it gets OFFSET_OUT_OF_RANGE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { readPartition } from '../helpers/read.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ retentionCheckIntervalMs: 200 });
});
afterAll(async () => broker?.destroy());

describe('retention by time (TTL)', () => {
  it('deletes expired segments and advances the log start offset while running', async () => {
    const kafka = new Kafka({
      clientId: 'retention-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: 'ttl',
          numPartitions: 1,
          configEntries: [
            { name: 'retention.ms', value: '1500' },
            { name: 'segment.ms', value: '300' },
          ],
        },
      ],
    });
    const producer = kafka.producer();
    await producer.connect();
    // Old records (timestamps in the past), spread over several segments.
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: 'ttl', messages: [{ value: `old-${i}` }] });
      await new Promise((r) => setTimeout(r, 350));
    }
    const log = broker.state.topics.partition('ttl', 0)!;
    expect(log.segmentCount).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 1600));
    await producer.send({ topic: 'ttl', messages: [{ value: 'fresh' }] });

    await expect.poll(() => log.logStartOffset, { timeout: 10_000 }).toBeGreaterThan(0);
    const offsets = await admin.fetchTopicOffsets('ttl');
    expect(Number(offsets[0]!.low)).toBe(log.logStartOffset);
    expect(Number(offsets[0]!.high)).toBe(6);
    const remaining = await readPartition(broker.port, 'ttl', 0, log.logStartOffset);
    expect(remaining.at(-1)!.value).toBe('fresh');
    await expect(readPartition(broker.port, 'ttl', 0, 0)).rejects.toThrow(/fetch error 1/);

    // The TTL can be changed live: unlimited retention keeps what is left.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: 'ttl', configEntries: [{ name: 'retention.ms', value: '-1' }] }],
    });
    expect(log.config.retentionMs).toBe(-1);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('retention.bytes keeps the partition under its size limit by dropping whole old segments', async () => {
    await broker.state.topics.create('sized', 1, { 'retention.bytes': '3000', 'segment.bytes': '1024' });
    const kafka = new Kafka({
      clientId: 'retention-bytes',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 30; i++)
      await producer.send({ topic: 'sized', messages: [{ value: 'x'.repeat(200) }] });
    await producer.disconnect();
    await broker.runRetention();
    const log = broker.state.topics.partition('sized', 0)!;
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.sizeBytes).toBeLessThanOrEqual(3000 + 1024);
    expect(log.highWatermark).toBe(30);
  });
});

describe('retention check interval', () => {
  it('by default a 3 s TTL empties a topic within seconds, not minutes', async () => {
    const defaults = await startTestBroker(); // the default check interval (5 s)
    try {
      const kafka = new Kafka({
        clientId: 'ttl-default',
        brokers: [defaults.bootstrap],
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic: 'ttl3',
            configEntries: [
              { name: 'retention.ms', value: '3000' },
              { name: 'segment.ms', value: '500' },
            ],
          },
        ],
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'ttl3', messages: [{ value: 'a' }, { value: 'b' }] });
      await producer.disconnect();
      const log = defaults.state.topics.partition('ttl3', 0)!;
      // nothing calls runRetention(): only the broker's own timer can delete these
      await expect.poll(() => log.logStartOffset, { timeout: 40_000, interval: 250 }).toBe(2);
      const offsets = await admin.fetchTopicOffsets('ttl3');
      expect(offsets[0]).toMatchObject({ low: '2', high: '2' });
      await admin.disconnect();
    } finally {
      await defaults.destroy();
    }
  }, 60_000);
});

/**
 * librdkafka's transactional producer (confluent-kafka from PyPI, which bundles librdkafka) on both
 * brokers: an aborted transaction is seen by read_uncommitted only, the committed ones by both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines } from './helpers/java.js';
import { confluentKafkaVenv, pythonMissing, requirePython, runConfluentKafka } from './helpers/python.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';

describe.skipIf(pythonMissing())('librdkafka transactions (confluent-kafka)', () => {
  let target: Target;

  beforeAll(async () => {
    requirePython();
    await confluentKafkaVenv();
    target = await startTarget();
  }, 400_000);

  afterAll(async () => {
    await target?.close();
  });

  it('commit, abort, commit: read_committed sees the commits only, read_uncommitted everything', async () => {
    const topic = uniqueTopic('rdkafka-tx');
    const admin = kafkajs(target).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const r = await runConfluentKafka('confluent_transactions.py', [target.bootstrap, topic], {
      timeoutMs: 150_000,
    });
    expect(r.code, `${r.stdout}\n${r.stderr.slice(-4000)}`).toBe(0);
    const [seen] = jsonLines<{ read_committed: string[]; read_uncommitted: string[] }>(r.stdout);
    console.log(`[compat] librdkafka transactions on ${target.name}: ${JSON.stringify(seen)}`);
    expect(seen).toEqual({ read_committed: ['c1', 'c2'], read_uncommitted: ['c1', 'a1', 'c2'] });
  }, 180_000);
});

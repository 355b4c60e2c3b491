/**
 * Kafka Streams 4.x (at_least_once, and exactly_once_v2 on transactions): the word count with a state store. Streams creates its internal
 * topics itself: a repartition topic (cleanup.policy=delete) and the store's changelog topic
 * (cleanup.policy=compact), so this needs log compaction. The same counts come out on both brokers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { compileJava, runJava } from './helpers/java.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, requireTool } from './helpers/tools.js';

describe.skipIf(missing('java'))('Kafka Streams', () => {
  let target: Target;
  let admin: Admin;
  const stateDir = mkdtempSync(join(tmpdir(), 'streams-state-'));

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
    rmSync(stateDir, { recursive: true, force: true });
  });

  it.each(['at_least_once', 'exactly_once_v2'])(
    'word count with a state store (%s) counts every word; its changelog topic is compacted',
    async (guarantee) => {
      const input = uniqueTopic('lines');
      const output = uniqueTopic('word-counts');
      const appId = uniqueTopic('wordcount');
      await admin.createTopics({
        topics: [
          { topic: input, numPartitions: 1 },
          { topic: output, numPartitions: 1 },
        ],
      });
      const lines = ['the order was paid', 'the order was shipped', 'The parcel was delivered'];
      const producer = kafkajs(target).producer();
      await producer.connect();
      await producer.send({ topic: input, messages: lines.map((value, i) => ({ key: `o${i}`, value })) });
      await producer.disconnect();

      const expected = new Map<string, number>();
      for (const w of lines.join(' ').toLowerCase().split(/\W+/)) expected.set(w, (expected.get(w) ?? 0) + 1);
      const r = await runJava(
        'WordCountStreams',
        [target.bootstrap, input, output, appId, stateDir, ...[...expected].map(([w, n]) => `${w}=${n}`)],
        150_000,
        { PROCESSING_GUARANTEE: guarantee },
      );
      expect(r.code, `WordCountStreams failed:\n${r.stdout}\n${r.stderr.slice(-4000)}`).toBe(0);
      const counts = r.stdout
        .split('\n')
        .filter((l) => /^\w+=\d+$/.test(l))
        .map((l) => l.split('='));
      expect(Object.fromEntries(counts.map(([w, n]) => [w, Number(n)]))).toEqual(
        Object.fromEntries(expected),
      );

      const changelog = `${appId}-word-counts-changelog`;
      const described = await admin.describeConfigs({
        resources: [{ type: 2, name: changelog, configNames: ['cleanup.policy'] }],
        includeSynonyms: false,
      });
      expect(described.resources[0]!.configEntries[0]).toMatchObject({ configValue: 'compact' });
    },
    180_000,
  );
});

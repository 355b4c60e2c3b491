/**
 * Apache Kafka's admin CLI beyond kafka-topics, on both brokers: kafka-delete-records (DeleteRecords),
 * kafka-log-dirs (DescribeLogDirs), kafka-cluster cluster-id (DescribeCluster), kafka-get-offsets
 * --time -3 (ListOffsets v7+, max timestamp) and kafka-features describe (ApiVersions v3 features).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { run } from './helpers/exec.js';
import { startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, repoRoot, requireTool } from './helpers/tools.js';

describe.skipIf(missing('java'))('Kafka admin tools (Apache Kafka CLI)', () => {
  let target: Target;
  let kafka: Kafka;

  beforeAll(async () => {
    requireTool('java');
    target = await startTarget();
    kafka = new Kafka({ clientId: 'admin-tools', brokers: [target.bootstrap], logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await target?.close();
  });

  async function tool(name: string, ...args: string[]): Promise<string> {
    const r = await run(
      join(repoRoot, 'scripts/kafka/tool.sh'),
      [name, '--bootstrap-server', target.bootstrap, ...args],
      {
        timeoutMs: 60_000,
      },
    );
    expect(r.code, `${name} ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  }

  /** A topic with `count` records on partition 0, timestamps base+i (the largest at index `maxAt`). */
  async function topicWith(
    prefix: string,
    count: number,
    maxAt?: number,
  ): Promise<{ topic: string; base: number }> {
    const topic = uniqueTopic(prefix);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 60_000;
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `k${i}`,
        value: `v${i}`,
        partition: 0,
        timestamp: String(i === maxAt ? base + 10 * count : base + i),
      })),
    });
    await producer.disconnect();
    return { topic, base };
  }

  it('kafka-delete-records moves the low watermark; kafka-get-offsets sees it', async () => {
    const { topic } = await topicWith('cli-delrec', 10);
    const file = join(os.tmpdir(), `${topic}.json`);
    await writeFile(file, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, offset: 4 }] }));
    const out = await tool('kafka-delete-records', '--offset-json-file', file);
    expect(out).toMatch(new RegExp(`partition: ${topic}-0\\s+low_watermark: 4`));
    expect((await tool('kafka-get-offsets', '--topic', topic, '--time', '-2')).trim()).toBe(`${topic}:0:4`);
    expect((await tool('kafka-get-offsets', '--topic', topic, '--time', '-1')).trim()).toBe(`${topic}:0:10`);
  });

  it('kafka-get-offsets --time -3 answers the record with the largest timestamp', async () => {
    const { topic } = await topicWith('cli-maxts', 8, 5);
    expect((await tool('kafka-get-offsets', '--topic', topic, '--time', '-3')).trim()).toBe(`${topic}:0:5`);
  });

  it('kafka-log-dirs --describe lists the partitions with their sizes', async () => {
    const { topic } = await topicWith('cli-logdirs', 5);
    const out = await tool('kafka-log-dirs', '--describe', '--topic-list', topic);
    const json = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as {
      brokers: Array<{
        logDirs: Array<{ error: string | null; partitions: Array<{ partition: string; size: number }> }>;
      }>;
    };
    const partitions = json.brokers.flatMap((b) => b.logDirs.flatMap((d) => d.partitions));
    expect(partitions.map((p) => p.partition)).toEqual([`${topic}-0`]);
    expect(partitions[0]!.size).toBeGreaterThan(0);
  });

  it('kafka-cluster cluster-id prints the cluster id', async () => {
    const r = await run(
      join(repoRoot, 'scripts/kafka/tool.sh'),
      ['kafka-cluster', 'cluster-id', '--bootstrap-server', target.bootstrap],
      {
        timeoutMs: 60_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Cluster ID: \S+/m);
  });

  it('kafka-features describe prints the feature levels', async () => {
    const out = await tool('kafka-features', 'describe');
    // Apache Kafka lists metadata.version, kraft.version, group.version, transaction.version, …; sps
    // lists group.version and transaction.version at level 0 (classic groups, no transactions)
    expect(out).toMatch(/^Feature: group\.version\s+SupportedMinVersion: \S+\s+SupportedMaxVersion: \S+/m);
    expect(out).toMatch(/^Feature: transaction\.version\s/m);
  });
});

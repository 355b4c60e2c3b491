/**
 * Apache Kafka's own CLI (kafka-topics, run from the cached jars by scripts/kafka/tool.sh): the
 * commands every Kafka tutorial uses. The Java AdminClient behind it uses recent API versions.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/exec.js';
import { startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, repoRoot, requireTool } from './helpers/tools.js';

describe.skipIf(missing('java'))('kafka-topics (Apache Kafka CLI)', () => {
  let target: Target;

  beforeAll(async () => {
    requireTool('java');
    target = await startTarget();
  });

  afterAll(async () => {
    await target?.close();
  });

  const topics = (...args: string[]) =>
    run(
      join(repoRoot, 'scripts/kafka/tool.sh'),
      ['kafka-topics', '--bootstrap-server', target.bootstrap, ...args],
      {
        timeoutMs: 60_000,
      },
    );

  async function ok(...args: string[]): Promise<string> {
    const r = await topics(...args);
    expect(r.code, `kafka-topics ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  }

  it('--create --partitions 3, --list, --describe, --alter --partitions 5, --delete', async () => {
    const topic = uniqueTopic('cli');

    expect(
      await ok('--create', '--topic', topic, '--partitions', '3', '--replication-factor', '1'),
    ).toContain(`Created topic ${topic}.`);
    expect((await ok('--list')).split('\n')).toContain(topic);

    const described = await ok('--describe', '--topic', topic);
    expect(described).toMatch(
      new RegExp(`Topic: ${topic}\\s+(?:TopicId: \\S+\\s+)?PartitionCount: 3\\s+ReplicationFactor: 1`),
    );
    for (const p of [0, 1, 2]) {
      expect(described).toMatch(new RegExp(`Partition: ${p}\\s+Leader: \\d+\\s+Replicas: \\d+\\s+Isr: \\d+`));
    }

    await ok('--alter', '--topic', topic, '--partitions', '5');
    expect(await ok('--describe', '--topic', topic)).toMatch(/PartitionCount: 5/);

    await ok('--delete', '--topic', topic);
    expect((await ok('--list')).split('\n')).not.toContain(topic);
  });

  it('--alter to fewer partitions fails and says why', async () => {
    const topic = uniqueTopic('cli-shrink');
    await ok('--create', '--topic', topic, '--partitions', '3');
    const r = await topics('--alter', '--topic', topic, '--partitions', '2');
    expect(r.code).not.toBe(0);
    // Apache Kafka 4.4: "InvalidPartitionsException: The topic X currently has 3 partition(s); 2 would not be an increase."
    expect(r.stdout + r.stderr).toMatch(/InvalidPartitionsException/);
    expect(await ok('--describe', '--topic', topic)).toMatch(/PartitionCount: 3/);
  });

  it('--create of an existing topic fails with TopicExistsException', async () => {
    const topic = uniqueTopic('cli-exists');
    await ok('--create', '--topic', topic, '--partitions', '1');
    const r = await topics('--create', '--topic', topic, '--partitions', '1');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/TopicExistsException|already exists/);
  });

  it('--describe of an unknown topic fails', async () => {
    const r = await topics('--describe', '--topic', uniqueTopic('cli-missing'));
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/does not exist/);
  });
});

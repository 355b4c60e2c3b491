/**
 * Consumer groups with clients and tools we did not write: kcat's balanced consumer (-G, librdkafka),
 * the Java consumer 4.x with subscribe() (classic protocol), and Kafka's own kafka-consumer-groups
 * (--list, --describe, --reset-offsets --execute) — which must agree with `sps groups describe`.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeGroup } from '../../apps/sps/src/commands/groups.js';
import { captureIo } from '../../apps/sps/src/io.js';
import { run } from './helpers/exec.js';
import { compileJava, jsonLines, runJava } from './helpers/java.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, repoRoot, requireTool } from './helpers/tools.js';

let target: Target;
let kafka: Kafka;
let admin: Admin;
const consumers: Consumer[] = [];

beforeAll(async () => {
  target = await startTarget();
  kafka = kafkajs(target);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await admin?.disconnect();
  await target?.close();
});

async function topicWith(prefix: string, partitions: number, records: number): Promise<string> {
  const topic = uniqueTopic(prefix);
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  if (records) await produce(topic, records, 0);
  return topic;
}

async function produce(topic: string, count: number, from: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })),
  });
  await producer.disconnect();
}

/** The group's committed offsets on `topic`, summed (uncommitted partitions count 0). */
async function committedSum(groupId: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

const values = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `v${from + i}`).sort();

describe.skipIf(missing('kcat'))("kcat's balanced consumer (-G)", () => {
  beforeAll(() => requireTool('kcat'));

  const kcatGroup = (group: string, topic: string, count: number) =>
    run(
      'kcat',
      [
        '-b',
        target.bootstrap,
        '-G',
        group,
        topic,
        '-X',
        'auto.offset.reset=earliest',
        '-c',
        String(count),
        '-q',
        '-f',
        '%p|%o|%s\n',
      ],
      { timeoutMs: 60_000 },
    );

  it('reads everything produced; a second run of the same group reads only what is new (offsets committed)', async () => {
    const topic = await topicWith('kcatg', 3, 12);
    const group = uniqueTopic('kcat-group');

    const first = await kcatGroup(group, topic, 12);
    expect(first.code, first.stderr).toBe(0);
    const got = first.stdout.split('\n').filter(Boolean);
    expect(got.map((l) => l.split('|')[2]).sort()).toEqual(values(12));
    expect(await committedSum(group, topic)).toBe(12);

    await produce(topic, 3, 12);
    const second = await kcatGroup(group, topic, 3);
    expect(second.code, second.stderr).toBe(0);
    expect(
      second.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('|')[2])
        .sort(),
    ).toEqual(values(3, 12));
    expect(await committedSum(group, topic)).toBe(15);
  });
});

describe.skipIf(missing('java'))('the Java consumer 4.x with subscribe() (classic group protocol)', () => {
  beforeAll(async () => {
    requireTool('java');
    await compileJava();
  });

  interface JavaLine {
    assigned?: number[];
    committed?: number;
    partition?: number;
    offset?: number;
    value?: string;
  }

  async function groupConsumer(group: string, topic: string, count: number, timeoutMs = 30_000) {
    const r = await runJava('GroupConsumer', [
      target.bootstrap,
      group,
      topic,
      String(count),
      String(timeoutMs),
    ]);
    expect(r.code, `GroupConsumer failed:\n${r.stderr}`).toBe(0);
    const lines = jsonLines<JavaLine>(r.stdout);
    return {
      assigned: lines.filter((l) => l.assigned).map((l) => l.assigned!),
      records: lines.filter((l) => l.value !== undefined),
      committed: lines.find((l) => l.committed !== undefined)?.committed,
    };
  }

  it('joins, gets every partition, reads from the earliest offset, commits; the next run resumes there', async () => {
    const topic = await topicWith('javag', 3, 10);
    const group = uniqueTopic('java-group');

    const first = await groupConsumer(group, topic, 10);
    expect(first.assigned.at(-1)).toEqual([0, 1, 2]);
    expect(first.records.map((r) => r.value).sort()).toEqual(values(10));
    expect(first.committed).toBe(10);
    expect(await committedSum(group, topic)).toBe(10);

    // Nothing old comes back.
    const idle = await groupConsumer(group, topic, 0, 4000);
    expect(idle.records).toEqual([]);

    await produce(topic, 2, 10);
    const second = await groupConsumer(group, topic, 2);
    expect(second.records.map((r) => r.value).sort()).toEqual(values(2, 10));
    expect(await committedSum(group, topic)).toBe(12);
  });
});

describe.skipIf(missing('java'))("Kafka's kafka-consumer-groups tool", () => {
  beforeAll(() => requireTool('java'));

  const tool = (...args: string[]) =>
    run(
      join(repoRoot, 'scripts/kafka/tool.sh'),
      ['kafka-consumer-groups', '--bootstrap-server', target.bootstrap, ...args],
      { timeoutMs: 60_000 },
    );

  async function ok(...args: string[]): Promise<string> {
    const r = await tool(...args);
    expect(r.code, `kafka-consumer-groups ${args.join(' ')}\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r.stdout;
  }

  interface Row {
    topic: string;
    partition: number;
    current: number | null;
    logEnd: number;
    lag: number | null;
    consumerId: string;
    host: string;
    clientId: string;
  }

  /** The rows of `--describe --group G` (GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG …). */
  function rows(group: string, out: string): Row[] {
    const n = (s: string) => (s === '-' ? null : Number(s));
    return out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c[0] === group && c.length >= 9)
      .map(([, topic, p, cur, end, lag, consumerId, host, clientId]) => ({
        topic: topic!,
        partition: Number(p),
        current: n(cur!),
        logEnd: Number(end),
        lag: n(lag!),
        consumerId: consumerId!,
        host: host!,
        clientId: clientId!,
      }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** What `sps groups describe --format json` says about the same group. */
  async function spsDescribe(group: string) {
    const io = captureIo(Readable.from([]));
    return describeGroup({ bootstrap: target.bootstrap, group, format: 'json' }, io);
  }

  it('--list and --describe show the group, its members and CURRENT-OFFSET, LOG-END-OFFSET and LAG as consumed; sps groups describe agrees', async () => {
    const topic = await topicWith('kcg', 2, 10);
    const group = uniqueTopic('kcg-group');
    const consumer = kafka.consumer({ groupId: group, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
    consumers.push(consumer);
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommitInterval: 100, eachMessage: async () => void seen++ });
    await expect.poll(() => seen, { timeout: 30_000 }).toBe(10);
    await expect.poll(() => committedSum(group, topic), { timeout: 10_000 }).toBe(10);

    expect((await ok('--list')).split('\n').map((l) => l.trim())).toContain(group);

    let described = rows(group, await ok('--describe', '--group', group));
    expect(described.map((r) => r.partition)).toEqual([0, 1]);
    expect(described.reduce((s, r) => s + r.logEnd, 0)).toBe(10);
    for (const r of described) {
      expect(r).toMatchObject({ topic, current: r.logEnd, lag: 0, clientId: 'compat' });
      expect(r.consumerId).not.toBe('-');
    }

    // Stop the member, produce more: the lag is what the group has not consumed.
    await consumer.disconnect();
    await produce(topic, 4, 10);
    const r = await tool('--describe', '--group', group);
    expect(r.code, r.stderr).toBe(0);
    // (printed on stderr)
    expect(`${r.stdout}\n${r.stderr}`).toContain(`Consumer group '${group}' has no active members.`);
    const out = r.stdout;
    described = rows(group, out);
    expect(described.reduce((s, r) => s + r.lag!, 0)).toBe(4);
    for (const r of described) expect(r).toMatchObject({ consumerId: '-', lag: r.logEnd - r.current! });

    const ours = await spsDescribe(group);
    expect(
      ours.partitions.map((p) => ({
        partition: p.partition,
        current: p.currentOffset,
        end: p.logEndOffset,
        lag: p.lag,
      })),
    ).toEqual(
      described.map((r) => ({ partition: r.partition, current: r.current, end: r.logEnd, lag: r.lag })),
    );
  });

  it('--reset-offsets --to-earliest --execute is refused while the group is active, works once it is inactive, and the group re-reads everything', async () => {
    const topic = await topicWith('kcgr', 2, 8);
    const group = uniqueTopic('kcgr-group');
    const start = async () => {
      const c = kafka.consumer({ groupId: group, heartbeatInterval: 500, maxWaitTimeInMs: 500 });
      consumers.push(c);
      const got: string[] = [];
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        autoCommitInterval: 100,
        eachMessage: async (p) => void got.push(p.message.value!.toString()),
      });
      return { c, got };
    };
    const a = await start();
    await expect.poll(() => a.got.length, { timeout: 30_000 }).toBe(8);
    await expect.poll(() => committedSum(group, topic), { timeout: 10_000 }).toBe(8);

    const refused = await tool(
      '--reset-offsets',
      '--group',
      group,
      '--topic',
      topic,
      '--to-earliest',
      '--execute',
    );
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(/can only be reset if the group '.*' is inactive/);
    expect(await committedSum(group, topic)).toBe(8);

    await a.c.disconnect();
    const out = await ok('--reset-offsets', '--group', group, '--topic', topic, '--to-earliest', '--execute');
    expect(out).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+NEW-OFFSET/);
    const newOffsets = out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c[0] === group)
      .map((c) => Number(c[3]));
    expect(newOffsets).toEqual([0, 0]);
    expect(await committedSum(group, topic)).toBe(0);

    const b = await start();
    await expect.poll(() => b.got.length, { timeout: 30_000 }).toBe(8);
    expect(b.got.sort()).toEqual(values(8));
  });
});

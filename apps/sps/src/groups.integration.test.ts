// `sps groups …` against a real broker: ours, in-process on a free port — or, with
// SPS_TEST_BOOTSTRAP=host:port, any Kafka (e.g. `scripts/kafka/kafka.sh start` → 127.0.0.1:19092).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startBroker, silentLogger, type BrokerHandle } from '@orders/sps-broker';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './cli.js';
import type { GroupDescriptionInfo, GroupListing, ResetPlanEntry } from './commands/groups.js';
import { captureIo } from './io.js';

const external = process.env.SPS_TEST_BOOTSTRAP;
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const named = (base: string) => `${base}-${suffix}`;

let broker: BrokerHandle | undefined;
let dataDir: string;
let bootstrap: string;
let kafka: Kafka;
const consumers: Consumer[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sps-groups-cli-'));
  if (external) bootstrap = external;
  else {
    broker = await startBroker({
      port: 0,
      httpPort: null,
      dataDir,
      logger: silentLogger,
      groups: { initialRebalanceDelayMs: 0 },
    });
    bootstrap = broker.bootstrap;
  }
  kafka = new Kafka({ clientId: 'cli-groups-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function sps(args: string[]) {
  const io = captureIo(Readable.from([]));
  const code = await run(['node', 'sps', '-b', bootstrap, ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

async function describeJson(group: string): Promise<GroupDescriptionInfo> {
  const r = await sps(['groups', 'describe', group, '--format', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as GroupDescriptionInfo;
}

async function createTopic(topic: string, partitions: number, records: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  await produce(topic, records, 0);
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

async function startConsumer(groupId: string, topic: string, clientId: string) {
  const client = new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = client.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 200,
  });
  consumers.push(consumer);
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommitInterval: 50,
    eachMessage: async (p) => void values.push(p.message.value!.toString()),
  });
  return { consumer, values };
}

describe('sps groups', () => {
  const topic = named('grp-orders');
  const group = named('grp-email');
  let running: Array<Awaited<ReturnType<typeof startConsumer>>> = [];

  it('describe shows members, client ids, hosts, idle members, committed offsets, log end offsets and lag', async () => {
    await createTopic(topic, 3, 30);
    running = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((id) => startConsumer(group, topic, id)));
    await expect
      .poll(
        async () => {
          const d = await describeJson(group);
          return d.state === 'Stable' && d.members.length === 4 && d.lag === 0 && d.partitions.length === 3;
        },
        { timeout: 30_000, interval: 300 },
      )
      .toBe(true);

    const d = await describeJson(group);
    expect(d.members.map((m) => m.clientId)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(d.members.filter((m) => m.idle)).toHaveLength(1);
    expect(d.members.every((m) => m.host.length > 0)).toBe(true);
    expect(d.partitions.reduce((n, p) => n + p.logEndOffset!, 0)).toBe(30);
    for (const p of d.partitions) {
      expect(p).toMatchObject({ topic, currentOffset: p.logEndOffset, lag: 0, logStartOffset: 0 });
      expect(d.members.find((m) => m.memberId === p.memberId)?.clientId).toBe(p.clientId);
    }

    const table = await sps(['groups', 'describe', group]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`group ${group}: Stable, 4 members`);
    expect(table.stdout).toMatch(
      /TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID/,
    );
    expect(table.stdout).toContain('(idle: no partition assigned)');

    const list = await sps(['groups', 'list', '--format', 'json']);
    expect(JSON.parse(list.stdout) as GroupListing[]).toContainEqual({
      group,
      state: 'Stable',
      members: 4,
      protocolType: 'consumer',
    });
    expect((await sps(['groups', 'list'])).stdout).toMatch(
      new RegExp(`^${group}\\s+Stable\\s+4\\s+consumer$`, 'm'),
    );
  });

  it('delete and reset-offsets are refused, with the reason, while the group has members', async () => {
    const del = await sps(['groups', 'delete', group]);
    expect(del.code).toBe(1);
    expect(del.stderr).toBe(
      `sps: group '${group}' still has 4 members (client ids: c1, c2, c3, c4); stop them first`,
    );

    const reset = await sps(['groups', 'reset-offsets', '--group', group, '--topic', topic, '--to-earliest']);
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(
      new RegExp(
        `^sps: group '${group}' is Stable with 4 active members \\(client ids: .*\\): offsets can only be reset while the group is inactive`,
      ),
    );
  });

  it('after the consumers stop, lag counts new records, and reset-offsets moves the group (dry run first)', async () => {
    await Promise.all(running.map((r) => r.consumer.disconnect()));
    await produce(topic, 6, 30);
    let d = await describeJson(group);
    expect(d).toMatchObject({ state: 'Empty', members: [], lag: 6 });
    expect((await sps(['groups', 'describe', group])).stdout).toContain(
      `group '${group}' has no active members`,
    );

    const dry = await sps([
      'groups',
      'reset-offsets',
      '-g',
      group,
      '-t',
      topic,
      '--to-earliest',
      '--dry-run',
      '--format',
      'json',
    ]);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as ResetPlanEntry[];
    expect(plan.map((p) => p.newOffset)).toEqual([0, 0, 0]);
    expect(dry.stderr).toContain('dry run: nothing changed');
    expect((await describeJson(group)).lag).toBe(6);

    const reset = await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--to-earliest']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET/);
    expect(reset.stderr).toContain(`reset group ${group} on ${topic}: 3 partitions`);
    d = await describeJson(group);
    expect(d.lag).toBe(36);
    expect(d.partitions.map((p) => p.currentOffset)).toEqual([0, 0, 0]);

    await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--shift-by', '2']);
    expect((await describeJson(group)).partitions.map((p) => p.currentOffset)).toEqual([2, 2, 2]);
    await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--shift-by=-1']);
    expect((await describeJson(group)).partitions.map((p) => p.currentOffset)).toEqual([1, 1, 1]);

    const far = await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--to-offset', '1000000']);
    expect(far.stderr).toMatch(/partition 0: offset 1000000 is outside 0\.\.\d+; using \d+/);
    expect((await describeJson(group)).lag).toBe(0);

    await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--to-datetime', '2000-01-01T00:00:00Z']);
    expect((await describeJson(group)).lag).toBe(36);
    await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--to-latest']);
    expect((await describeJson(group)).lag).toBe(0);
    await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--to-datetime', '2999-01-01T00:00:00Z']);
    expect((await describeJson(group)).lag).toBe(0);
  });

  it('a group reset to the earliest offsets replays the whole stream when it restarts', async () => {
    expect((await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--to-earliest'])).code).toBe(0);
    const again = await startConsumer(group, topic, 'replayer');
    await expect.poll(() => new Set(again.values).size, { timeout: 30_000 }).toBe(36);
    await again.consumer.disconnect();
  });

  it('reset-offsets says what is wrong with its options and names unknown topics', async () => {
    let r = await sps(['groups', 'reset-offsets', '-g', group, '-t', topic]);
    expect(r.stderr).toContain(
      'choose one of --to-earliest, --to-latest, --to-datetime <ISO time>, --to-offset <n>, --shift-by <n>',
    );
    r = await sps(['groups', 'reset-offsets', '-g', group, '-t', topic, '--to-earliest', '--to-latest']);
    expect(r.stderr).toContain('choose only one of --to-earliest');
    r = await sps(['groups', 'reset-offsets', '-g', group, '-t', `${topic}x`, '--to-earliest']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`topic '${topic}x' does not exist (did you mean '${topic}'?)`);
    r = await sps(['groups', 'reset-offsets', '-g', named('fresh'), '-t', topic, '--shift-by', '1']);
    expect(r.stderr).toMatch(
      /--shift-by needs a committed offset, and group '.*' has none for .* partitions 0, 1, 2/,
    );
  });

  it('delete removes an inactive group and its offsets; unknown groups are named as such', async () => {
    const r = await sps(['groups', 'delete', group]);
    expect(r).toMatchObject({ code: 0, stderr: `deleted group ${group} and its committed offsets` });
    const gone = await sps(['groups', 'describe', group]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      new RegExp(`^sps: group '${group}' does not exist; (groups: |there are no groups yet)`),
    );
    const del = await sps(['groups', 'delete', group]);
    expect(del.code).toBe(1);
    expect(del.stderr).toMatch(new RegExp(`^sps: group '${group}' does not exist`));
  });
});

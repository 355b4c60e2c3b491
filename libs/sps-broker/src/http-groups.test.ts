// GET /api/groups and /api/groups/:id against an in-process broker, with kafkajs consumer groups.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startBroker, type BrokerHandle } from './broker.js';
import { silentLogger } from './logger.js';
import type { GroupDetailView, GroupSummaryView } from './http-groups.js';

let broker: BrokerHandle;
let dataDir: string;
let kafka: Kafka;
const consumers: Consumer[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sps-http-groups-'));
  broker = await startBroker({
    port: 0,
    httpPort: 0,
    dataDir,
    logger: silentLogger,
    groups: { initialRebalanceDelayMs: 0 },
  });
  kafka = new Kafka({ clientId: 'http-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function get<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${broker.httpPort}${p}`);
  return { status: res.status, body: (await res.json()) as T };
}

async function produce(topic: string, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  });
  await producer.disconnect();
}

async function startConsumer(groupId: string, topic: string, clientId: string) {
  const client = new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = client.consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 200,
  });
  consumers.push(consumer);
  let received = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ autoCommitInterval: 50, eachMessage: async () => void received++ });
  return { consumer, received: () => received };
}

describe('GET /api/groups/:id', () => {
  it('shows members, their decoded partitions, idle members, committed offsets, high watermarks and lag', async () => {
    const topic = 'http-groups-a';
    await broker.state.topics.create(topic, 3);
    await produce(topic, 30);
    const a = await startConsumer('http-a', topic, 'client-a');
    const b = await startConsumer('http-a', topic, 'client-b');
    const c = await startConsumer('http-a', topic, 'client-c');
    const d = await startConsumer('http-a', topic, 'client-d');
    await expect
      .poll(async () => (await get<GroupDetailView>('/api/groups/http-a')).body.state, { timeout: 15_000 })
      .toBe('Stable');
    await expect.poll(() => a.received() + b.received() + c.received() + d.received()).toBe(30);
    // Every partition committed at its end: lag 0.
    await expect
      .poll(async () => (await get<GroupDetailView>('/api/groups/http-a')).body.lag, { timeout: 10_000 })
      .toBe(0);

    const { status, body } = await get<GroupDetailView>('/api/groups/http-a');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'http-a', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(body.members.map((m) => m.clientId)).toEqual(['client-a', 'client-b', 'client-c', 'client-d']);
    expect(body.members.every((m) => m.host.length > 0)).toBe(true);
    const owned = body.members.flatMap((m) => m.assignment!.flatMap((x) => x.partitions));
    expect(owned.sort()).toEqual([0, 1, 2]);
    expect(body.members.filter((m) => m.idle)).toHaveLength(1);
    expect(body.members.find((m) => m.idle)!.assignment).toEqual([]);
    expect(body.partitions).toHaveLength(3);
    expect(body.partitions.reduce((n, p) => n + p.highWatermark!, 0)).toBe(30);
    for (const p of body.partitions) {
      expect(p).toMatchObject({ topic, logStartOffset: 0, committedOffset: p.highWatermark, lag: 0 });
      expect(body.members.find((m) => m.memberId === p.memberId)?.clientId).toBe(p.clientId);
    }
    expect(body.lastRebalance).toMatchObject({ reason: expect.any(String) });
    expect(body.lastRebalance!.durationMs).toBeGreaterThanOrEqual(0);

    // New records raise the high watermark; lag is what the group has not committed yet.
    await Promise.all([a, b, c, d].map((x) => x.consumer.stop()));
    await Promise.all([a, b, c, d].map((x) => x.consumer.disconnect()));
    await produce(topic, 6);
    const after = (await get<GroupDetailView>('/api/groups/http-a')).body;
    expect(after).toMatchObject({ state: 'Empty', members: [], lag: 6 });
    expect(after.partitions.map((p) => p.highWatermark! - p.committedOffset!)).toEqual(
      after.partitions.map((p) => p.lag),
    );
    expect(after.partitions.every((p) => p.memberId === null)).toBe(true);
  });

  it('a partition the group owns but has not committed shows a null offset and null lag', async () => {
    const topic = 'http-groups-b';
    await broker.state.topics.create(topic, 2);
    await produce(topic, 4);
    const client = new Kafka({ clientId: 'lazy', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = client.consumer({
      groupId: 'http-b',
      sessionTimeout: 6000,
      heartbeatInterval: 300,
      maxWaitTimeInMs: 200,
    });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // Never commits: autoCommit off and nothing resolved.
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    await expect
      .poll(async () => (await get<GroupDetailView>('/api/groups/http-b')).body.state, { timeout: 15_000 })
      .toBe('Stable');
    const { body } = await get<GroupDetailView>('/api/groups/http-b');
    expect(body.lag).toBeNull();
    expect(body.partitions).toEqual([
      expect.objectContaining({ partition: 0, committedOffset: null, lag: null, clientId: 'lazy' }),
      expect.objectContaining({ partition: 1, committedOffset: null, lag: null, clientId: 'lazy' }),
    ]);
    expect(body.partitions.map((p) => p.highWatermark).reduce((x, y) => x! + y!)).toBe(4);
    expect(body.members[0]).toMatchObject({ clientId: 'lazy', idle: false });
  });

  it('an unknown group is a 404 that names the groups there are', async () => {
    const { status, body } = await get<{ error: string; groups: string[] }>('/api/groups/nope');
    expect(status).toBe(404);
    expect(body.error).toMatch(/^group 'nope' does not exist; groups: .*http-a/);
    expect(body.groups).toContain('http-a');
  });
});

describe('GET /api/groups', () => {
  it('lists every group with state, protocol, generation, member count and total lag', async () => {
    // A group whose only trace is a committed offset (kafkajs' setOffsets joins, commits, leaves).
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId: 'http-z',
      topic: 'http-groups-a',
      partitions: [{ partition: 0, offset: '4' }],
    });
    await admin.disconnect();
    const { status, body } = await get<{ groups: GroupSummaryView[] }>('/api/groups');
    expect(status).toBe(200);
    const ids = body.groups.map((g) => g.id);
    expect(ids).toEqual([...ids].sort());
    expect(body.groups.find((g) => g.id === 'http-a')).toEqual({
      id: 'http-a',
      state: 'Empty',
      protocolType: 'consumer',
      protocol: null,
      generation: expect.any(Number),
      members: 0,
      lag: 6,
    });
    const hwm = broker.state.topics.partition('http-groups-a', 0)!.highWatermark;
    expect(body.groups.find((g) => g.id === 'http-z')).toMatchObject({ members: 0, lag: hwm - 4 });
    expect(body.groups.find((g) => g.id === 'http-b')).toMatchObject({
      state: 'Stable',
      protocol: 'RoundRobinAssigner',
      members: 1,
      lag: null,
    });
  });
});
